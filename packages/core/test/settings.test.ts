import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  defaultSettings,
  isSupportLink,
  THRESHOLD_FLOORS,
  validateSettingsChange,
  withDefaults,
} from '../src/index.ts';

type Settings = ReturnType<typeof defaultSettings>;

function withThreshold(base: Settings, key: keyof Settings['thresholds'], value: number): Settings {
  return { ...base, thresholds: { ...base.thresholds, [key]: value } };
}

const raise = suite('thresholds are raise-only');

const keys = Object.keys(THRESHOLD_FLOORS) as (keyof Settings['thresholds'])[];

for (const key of keys) {
  const floor = THRESHOLD_FLOORS[key];
  raise(`${key}: floor - 1 is refused, floor and floor + 1 are accepted`, () => {
    const current = defaultSettings();
    const below = validateSettingsChange({ current, next: withThreshold(current, key, floor - 1) });
    assert.is(below.ok, false);
    if (!below.ok) {
      assert.is(below.problems[0]?.code, 'threshold_lowering_refused');
      assert.is(below.problems[0]?.key, `thresholds.${key}`);
      assert.match(below.problems[0]?.message ?? '', `floor of ${floor}`);
    }
    assert.equal(validateSettingsChange({ current, next: withThreshold(current, key, floor) }), {
      ok: true,
      changes: [],
    });
    const up = validateSettingsChange({ current, next: withThreshold(current, key, floor + 1) });
    assert.equal(up, {
      ok: true,
      changes: [
        {
          key: `thresholds.${key}`,
          oldValue: floor,
          newValue: floor + 1,
          effectiveFrom: 'next wave',
        },
      ],
    });
  });
}

raise('a raised threshold cannot be lowered again, even to a value above the floor', () => {
  const current = withThreshold(defaultSettings(), 'k', 9);
  const result = validateSettingsChange({ current, next: withThreshold(current, 'k', 8) });
  assert.is(result.ok, false);
  if (!result.ok) {
    assert.is(result.problems.length, 1);
    assert.is(result.problems[0]?.code, 'threshold_lowering_refused');
    // The message names the threshold and the value in force.
    assert.match(result.problems[0]?.message ?? '', /^k is 9 and cannot be lowered to 8/);
  }
  assert.is(validateSettingsChange({ current, next: current }).ok, true);
});

raise('thresholds are whole numbers up to 1000', () => {
  const current = defaultSettings();
  for (const value of [1001, 5.5, Number.NaN]) {
    const result = validateSettingsChange({
      current,
      next: withThreshold(current, 'kDist', value),
    });
    assert.is(result.ok, false, String(value));
    if (!result.ok) assert.is(result.problems[0]?.code, 'settings_invalid');
  }
  assert.is(
    validateSettingsChange({ current, next: withThreshold(current, 'kDist', 1000) }).ok,
    true,
  );
});

raise('a lowering is reported first when there are other problems too', () => {
  const current = defaultSettings();
  const next = withThreshold(current, 'd', 4);
  next.links = { confidentialAdviser: 'http://example.org', complaints: null };
  const result = validateSettingsChange({ current, next });
  assert.is(result.ok, false);
  if (!result.ok) {
    assert.equal(
      result.problems.map((p) => p.code),
      ['threshold_lowering_refused', 'settings_invalid'],
    );
  }
});

raise.run();

const other = suite('other settings');

other('links are https or mailto, nothing else', () => {
  for (const ok of [
    'https://intranet.politie.nl/vertrouwenspersoon',
    'mailto:vertrouwenspersoon@politie.nl',
  ]) {
    assert.ok(isSupportLink(ok), ok);
  }
  for (const bad of [
    'http://intranet.politie.nl',
    'javascript:alert(1)',
    'ftp://x.nl',
    'intranet.politie.nl',
    'mailto:',
    'mailto:nobody',
    'https://user@evil.example',
    'https://a.nl/x y',
    '',
  ]) {
    assert.not.ok(isSupportLink(bad), bad);
  }
});

other('retention keeps at least one year of results and one month of comments', () => {
  const current = defaultSettings();
  assert.equal(current.retention, { resultsYears: 5, commentsMonths: 24 });
  const one = { ...current, retention: { resultsYears: 1, commentsMonths: 1 } };
  assert.is(validateSettingsChange({ current, next: one }).ok, true);
  const none = { ...current, retention: { resultsYears: 0, commentsMonths: 0 } };
  const result = validateSettingsChange({ current, next: none });
  assert.is(result.ok, false);
  if (!result.ok) {
    assert.equal(
      result.problems.map((p) => p.key),
      ['retention.resultsYears', 'retention.commentsMonths'],
    );
  }
});

other('changes other than thresholds apply now and list old and new values', () => {
  const current = defaultSettings();
  const next = {
    ...current,
    leaderTerm: { ...current.leaderTerm, nl: 'mijn teamleider' },
    links: { ...current.links, complaints: 'mailto:klachten@politie.nl' },
  };
  const result = validateSettingsChange({ current, next });
  assert.equal(result, {
    ok: true,
    changes: [
      {
        key: 'leaderTerm.nl',
        oldValue: 'mijn leidinggevende',
        newValue: 'mijn teamleider',
        effectiveFrom: 'now',
      },
      {
        key: 'links.complaints',
        oldValue: null,
        newValue: 'mailto:klachten@politie.nl',
        effectiveFrom: 'now',
      },
    ],
  });
});

other('a leader word cannot carry a placeholder or markup', () => {
  const current = defaultSettings();
  const next = { ...current, leaderTerm: { ...current.leaderTerm, en: '{lead}' } };
  assert.is(validateSettingsChange({ current, next }).ok, false);
});

other('stored settings are read over the defaults and never below the floors', () => {
  const read = withDefaults({ thresholds: { k: 3, kComment: 12 }, retention: { resultsYears: 7 } });
  assert.is(read.thresholds.k, 5);
  assert.is(read.thresholds.kComment, 12);
  assert.equal(read.retention, { resultsYears: 7, commentsMonths: 24 });
  assert.equal(withDefaults(null), defaultSettings());
});

other.run();

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Item, Language } from '@teamspiegel/contracts';
import {
  defaultSettings,
  isSupportLink,
  ITEM_BANK,
  leaderTermProblem,
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

other('a stored word for a lead the rules refuse is read as the default word', () => {
  const read = withDefaults({
    leaderTerm: { nl: 'mijn teamchef. Ik ben een vrouw en', 'nl-BE': 'mijn chef', en: 7 },
  });
  assert.equal(read.leaderTerm, {
    nl: 'mijn leidinggevende',
    'nl-BE': 'mijn chef',
    en: 'my team lead',
  });
});

other.run();

const leader = suite("the organisation's word for a team lead (A13)");

/** The problems of a change that only sets the word for a lead in `language`. */
function leaderProblems(language: Language, word: string, items?: readonly Item[]) {
  const current = defaultSettings();
  const next = { ...current, leaderTerm: { ...current.leaderTerm, [language]: word } };
  const result = validateSettingsChange({ current, next, ...(items ? { items } : {}) });
  return result.ok ? [] : result.problems;
}

leader('a word that smuggles a question into every lead item is refused', () => {
  for (const [language, word] of [
    ['nl', 'mijn teamchef. Ik ben een vrouw en'],
    ['nl-BE', 'mijn teamchef. Hoe oud ben je? En'],
    ['en', 'my team lead. How old are you? And'],
  ] as [Language, string][]) {
    const problems = leaderProblems(language, word);
    assert.equal(
      problems.map((p) => [p.key, p.code]),
      [[`leaderTerm.${language}`, 'settings_invalid']],
      word,
    );
    assert.match(
      problems[0]?.message ?? '',
      'only letters, single spaces, hyphens and apostrophes',
    );
  }
});

leader('a word made of letters only is still checked as a question, alone and in the items', () => {
  for (const [language, word, reason] of [
    ['nl', 'ik ben een vrouw', 'personal attribute'],
    ['en', 'how old', 'age'],
    ['en', 'which team', 'which team'],
    ['nl', 'leeftijd', 'age'],
  ] as [Language, string, string][]) {
    const problems = leaderProblems(language, word);
    assert.is(problems.length, 1, word);
    assert.match(problems[0]?.message ?? '', reason);
    assert.match(problems[0]?.message ?? '', 'A13');
  }
  // Harmless alone, a question once filled into an item: every item naming the lead is rendered.
  const item: Item = {
    id: 'org.lead_age',
    theme: 'inclusive_leadership',
    texts: { nl: 'Hoe {lead} vind je het werk?', en: 'How {lead} do you find the work?' },
    scale: 'agree5',
    reverseKeyed: false,
    dontKnow: false,
    reportingLevel: 'team',
    leaderReferent: true,
  };
  assert.is(leaderTermProblem('oud', 'nl', []), null);
  const problems = leaderProblems('nl', 'oud', [...ITEM_BANK, item]);
  assert.equal(
    problems.map((p) => p.key),
    ['leaderTerm.nl'],
  );
  assert.match(problems[0]?.message ?? '', /org\.lead_age .*asks for age/);
});

leader('invisible characters and letters from another script are refused, saying why', () => {
  const soft = leaderProblems('nl', 'mijn leiding\u00ADgevende');
  assert.match(soft[0]?.message ?? '', 'invisible');
  const zeroWidth = leaderProblems('en', 'my team\u200B lead');
  assert.match(zeroWidth[0]?.message ?? '', 'invisible');
  const cyrillic = leaderProblems('nl', 'mijn l\u0435idinggevende');
  assert.match(cyrillic[0]?.message ?? '', 'outside the Latin alphabet');
});

leader('a word naming what identifies a person is refused, also spaced out or hyphenated', () => {
  for (const word of [
    'voornaam',
    'achternaam',
    'n a a m',
    'stam-nummer',
    'persoonsnummer',
    'adres',
  ]) {
    assert.match(leaderTermProblem(word, 'nl') ?? '', 'identifies a person', word);
  }
  assert.match(leaderTermProblem('my first name', 'en') ?? '', 'identifies a person');
});

leader('a word is short: at most 40 characters and 4 words', () => {
  assert.match(
    leaderProblems('nl', 'mijn eigen directe dagelijkse leidinggevende')[0]?.message ?? '',
    '40 characters',
  );
  assert.match(leaderProblems('en', 'my own very direct lead')[0]?.message ?? '', '4 words');
});

leader('ordinary words for a lead are accepted, accents, hyphens and apostrophes included', () => {
  for (const [language, word] of [
    ['nl', 'mijn teamleider'],
    ['nl', 'mijn directe leidinggevende'],
    ['nl-BE', 'mijn teamchef'],
    ['nl-BE', "mijn chef d'équipe"],
    ['nl', 'de ploeg-chef'],
    ['en', 'my team lead'],
    ['en', 'my sergeant'],
    ['en', 'the shift’s lead'],
  ] as [Language, string][]) {
    assert.equal(leaderProblems(language, word), [], word);
  }
  const current = defaultSettings();
  for (const [language, word] of Object.entries(current.leaderTerm) as [Language, string][]) {
    assert.is(leaderTermProblem(word, language), null, word);
  }
});

leader.run();

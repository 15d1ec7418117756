import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ImportChange, ImportRejectedRow } from '@teamspiegel/contracts';
import { translate, type MessageKey, type Params } from '../src/lib/i18n/translate.ts';
import { changeFields, changeLabel, rejectionDetail } from '../src/routes/admin/import/report.ts';

/**
 * The import report reads in the reader's language: a rejection's details are worded from its
 * params, never the API's English text, and planned changes name their fields, unit kinds and
 * roles in Dutch in the Dutch screen.
 */
const nl = (key: MessageKey, params?: Params) => translate('nl', key, params);
const en = (key: MessageKey, params?: Params) => translate('en', key, params);

const ENGLISH = /\b(also|occurs|line|name|kind|parent|district|regional_unit|member|not in)\b/;

test('rejection details are worded from the params in Dutch', () => {
  const dup: ImportRejectedRow = {
    file: 'people',
    line: 2,
    reason: {
      code: 'duplicate_employee_number',
      text: 'Employee number NL000002 also occurs on line 101.',
      params: { lines: [101] },
    },
  };
  assert.is(rejectionDetail(nl, dup), 'zie regel 101');
  assert.is(rejectionDetail(en, dup), 'see line 101');
  const person: ImportRejectedRow = {
    file: 'memberships',
    line: 7,
    reason: {
      code: 'person_rejected',
      text: 'The row of NL000002 in the people file was rejected (line 2, 101).',
      params: { lines: [2, 101], inFile: 'people' },
    },
    column: 'Personeelsnummer',
  };
  assert.is(rejectionDetail(nl, person), 'zie regels 2, 101 van Personen');
  const kinds: ImportRejectedRow = {
    file: 'units',
    line: 4,
    reason: {
      code: 'kind_not_allowed',
      text: 'A district may not sit under a team (T1).',
      params: { kind: 'district', parentKind: 'team' },
    },
  };
  assert.is(rejectionDetail(nl, kinds), 'District onder Team');
  const long: ImportRejectedRow = {
    file: 'units',
    line: 5,
    reason: {
      code: 'too_long',
      text: 'name is longer than 120 characters.',
      params: { maxLength: 120 },
    },
  };
  assert.is(rejectionDetail(nl, long), 'ten hoogste 120 tekens');
  for (const row of [dup, person, kinds, long])
    assert.not.match(rejectionDetail(nl, row), ENGLISH, row.reason.code);
  // Every code has a Dutch reason.
  assert.is(nl('import.reason.person_rejected'), 'Regel van deze persoon is afgekeurd');
});

test('planned changes name fields, unit kinds and roles in Dutch', () => {
  const unit: ImportChange = {
    kind: 'unit',
    action: 'create',
    key: 'NL-E1-D1',
    label: 'District 1',
    fields: [
      { field: 'name', from: null, to: 'District 1' },
      { field: 'kind', from: null, to: 'regional_unit' },
      { field: 'parent', from: null, to: 'NL-E1' },
    ],
  };
  assert.is(
    changeFields(nl, unit),
    'Naam: — → District 1 · Soort: — → Regionale eenheid · Bovenliggende eenheid: — → NL-E1',
  );
  const end: ImportChange = {
    kind: 'membership',
    action: 'end',
    key: 'NL1',
    label: 'Anna Jansen → Team 1 (member)',
    fields: [
      { field: 'end', from: null, to: '27-11-2026' },
      { field: 'reason', from: null, to: 'not_in_file' },
    ],
  };
  assert.is(
    changeFields(nl, end),
    'Einddatum: — → 27-11-2026 · Reden: — → niet meer in het lidmaatschappenbestand',
  );
  assert.is(changeLabel(nl, end), 'Anna Jansen → Team 1 (lid)');
  const person: ImportChange = {
    kind: 'person',
    action: 'change',
    key: 'NL2',
    label: 'Bram Smit',
    fields: [
      { field: 'language', from: 'nl', to: 'en' },
      { field: 'active', from: 'no', to: 'yes' },
    ],
  };
  assert.is(changeFields(nl, person), 'Taal: Nederlands → English · Actief: Nee → Ja');
  for (const c of [unit, end, person]) assert.not.match(changeFields(nl, c), ENGLISH);
});

test.run();

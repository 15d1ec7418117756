import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AUDIT_ACTIONS,
  ASSIGNABLE_ROLES,
  LANGUAGES,
  MEMBERSHIP_KINDS,
  THEMES,
  UNIT_KINDS,
} from '@teamspiegel/contracts';
import {
  AUDIT_ACTION_LIST,
  ASSIGNABLE_ROLE_LIST,
  LANGUAGE_LIST,
  MEMBERSHIP_KIND_LIST,
  THEME_LIST,
  UNIT_KIND_LIST,
  isAuditAction,
} from '../src/lib/constants.ts';
import {
  formatDate,
  localIsoDate,
  pageCount,
  parsePage,
  fullName,
  formatDateTime,
} from '../src/lib/format.ts';
import { loginUrl, safeReturnPath } from '../src/lib/paths.ts';

test('formatDate shows a calendar date in the reader’s language without shifting the day', () => {
  assert.is(formatDate('en', '2025-03-01'), '1 Mar 2025');
  assert.match(formatDate('nl', '2025-03-01'), /^1 mrt\.? 2025$/);
  assert.is(formatDate('nl', 'not a date'), 'not a date');
});

test('formatDateTime uses the given time zone', () => {
  assert.match(
    formatDateTime('en', '2025-03-01T23:30:00Z', 'Europe/Amsterdam'),
    /2 Mar 2025, 00:30/,
  );
  assert.is(formatDateTime('en', 'garbage'), 'garbage');
});

test('localIsoDate gives YYYY-MM-DD in the local calendar', () => {
  assert.is(localIsoDate(new Date(2025, 0, 5, 23, 59)), '2025-01-05');
});

test('pageCount and parsePage', () => {
  assert.is(pageCount(0, 25), 1);
  assert.is(pageCount(25, 25), 1);
  assert.is(pageCount(26, 25), 2);
  assert.is(parsePage('3'), 3);
  assert.is(parsePage('0'), 1);
  assert.is(parsePage('-2'), 1);
  assert.is(parsePage('2.5'), 1);
  assert.is(parsePage(null), 1);
});

test('fullName joins given and family name', () => {
  assert.is(fullName({ givenName: 'Sanne', familyName: 'de Wit' }), 'Sanne de Wit');
});

test('safeReturnPath only follows same-site paths', () => {
  assert.is(safeReturnPath('/admin/people?q=a'), '/admin/people?q=a');
  assert.is(safeReturnPath(null), '/');
  assert.is(safeReturnPath('https://evil.example'), '/');
  assert.is(safeReturnPath('//evil.example'), '/');
  assert.is(safeReturnPath('/\\evil.example'), '/');
  assert.is(safeReturnPath('/login?returnTo=/x'), '/');
  assert.is(loginUrl('/admin/audit'), '/login?returnTo=%2Fadmin%2Faudit');
  assert.is(loginUrl('/'), '/login');
});

test('the web app’s lists match the contracts exactly', () => {
  assert.equal([...AUDIT_ACTION_LIST].sort(), [...AUDIT_ACTIONS].sort());
  assert.equal([...ASSIGNABLE_ROLE_LIST].sort(), [...ASSIGNABLE_ROLES].sort());
  assert.equal([...LANGUAGE_LIST].sort(), [...LANGUAGES].sort());
  assert.equal([...MEMBERSHIP_KIND_LIST].sort(), [...MEMBERSHIP_KINDS].sort());
  assert.equal([...UNIT_KIND_LIST].sort(), [...UNIT_KINDS].sort());
  assert.equal([...THEME_LIST], [...THEMES]);
  assert.ok(isAuditAction('unit.created'));
  assert.not.ok(isAuditAction('unit.deleted'));
  assert.not.ok(isAuditAction(null));
});

test.run();

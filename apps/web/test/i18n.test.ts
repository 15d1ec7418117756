import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ERROR_CODES, LANGUAGES, type Language } from '@teamspiegel/contracts';
import { nl } from '../src/lib/i18n/nl.ts';
import { en } from '../src/lib/i18n/en.ts';
import { nlBe } from '../src/lib/i18n/nl-be.ts';
import { translate, translateError, isLanguage } from '../src/lib/i18n/translate.ts';

const keys = Object.keys(nl) as (keyof typeof nl)[];

test('every API error code has its own message in nl, nl-BE and en', () => {
  const generic = Object.fromEntries(LANGUAGES.map((l) => [l, translateError(l, 'unknown_error')]));
  for (const language of LANGUAGES) {
    for (const code of ERROR_CODES) {
      const message = translateError(language, code);
      assert.ok(message.length > 10, `${language}/${code} is empty`);
      assert.is.not(message, code, `${language}/${code} shows the raw code`);
      assert.is.not(
        message,
        generic[language],
        `${language}/${code} falls back to the generic message`,
      );
    }
  }
});

test('English error messages are English, not the Dutch fallback', () => {
  for (const code of ERROR_CODES) {
    assert.is.not(translateError('en', code), translateError('nl', code), code);
  }
});

test('an unknown error code gets a generic message in the reader’s language', () => {
  assert.is(translateError('nl', 'something_new'), translateError('nl', 'unknown_error'));
  assert.is(translateError('en', 'something_new'), 'Something went wrong. Please try again.');
  assert.is(translateError('nl-BE', ''), translateError('nl', 'unknown_error'));
});

test('a network failure has its own message', () => {
  assert.match(translateError('nl', 'network_error'), /verbinding/);
  assert.match(translateError('en', 'network_error'), /connection/);
});

test('nl-BE uses Belgian terms where they differ and Dutch elsewhere', () => {
  assert.is(translate('nl-BE', 'field.employeeNumber'), 'Stamnummer');
  assert.is(translate('nl', 'field.employeeNumber'), 'Personeelsnummer');
  assert.is(translate('nl-BE', 'role.team_lead'), 'Teamchef');
  assert.is(translate('nl', 'role.team_lead'), 'Leidinggevende');
  assert.is(translate('nl-BE', 'units.title'), translate('nl', 'units.title'));
  assert.is(translateError('nl-BE', 'employee_number_taken'), 'Dit stamnummer is al in gebruik.');
});

test('nl-BE only overrides keys that exist in nl', () => {
  for (const key of Object.keys(nlBe)) assert.ok(key in nl, `unknown nl-BE key ${key}`);
});

test('English has every key, and no message is empty in any language', () => {
  for (const key of keys) {
    assert.ok(en[key].trim().length > 0, `en/${key}`);
    for (const language of LANGUAGES)
      assert.ok(translate(language, key).trim().length > 0, `${language}/${key}`);
  }
});

test('placeholders are filled in and the same placeholders exist in every language', () => {
  assert.is(translate('nl', 'home.title', { name: 'Sanne' }), 'Welkom, Sanne');
  assert.is(
    translate('en', 'pagination.status', { page: 2, pages: 5, total: 101 }),
    'Page 2 of 5 (101 results)',
  );
  assert.is(
    translate('en', 'home.title'),
    'Welcome, {name}',
    'a missing parameter stays visible rather than vanishing',
  );
  const placeholders = (s: string) =>
    [...s.matchAll(/\{(\w+)\}/g)]
      .map((m) => m[1])
      .sort()
      .join(',');
  for (const key of keys) {
    for (const language of LANGUAGES) {
      assert.is(
        placeholders(translate(language, key)),
        placeholders(nl[key]),
        `${language}/${key}`,
      );
    }
  }
});

test('isLanguage accepts exactly the supported languages', () => {
  for (const l of LANGUAGES) assert.ok(isLanguage(l));
  for (const v of ['NL', 'fr', '', null, 3]) assert.not.ok(isLanguage(v));
  const all: readonly Language[] = LANGUAGES;
  assert.is(all.length, 3);
});

test('counts pick the singular for one and the plural otherwise', () => {
  assert.is(translate('nl', 'units.memberCount', { count: 1 }), '1 lid');
  assert.is(translate('nl', 'units.memberCount', { count: 2 }), '2 leden');
  assert.is(translate('nl', 'units.memberCount', { count: 0 }), '0 leden');
  assert.is(translate('en', 'units.memberCount', { count: 1 }), '1 member');
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Value } from 'typebox/value';
import {
  AddMembershipBody,
  CreatePersonBody,
  ERROR_CODES,
  ErrorBody,
  IdParams,
  LoginBody,
  PeopleQuery,
  PERMISSIONS,
  ROLES,
  ASSIGNABLE_ROLES,
} from '../src/index.ts';

test('error codes, roles and permissions are unique', () => {
  for (const list of [ERROR_CODES, ROLES, PERMISSIONS]) {
    assert.is(new Set<string>(list).size, list.length);
  }
});

test('only chief, HR, administrator and works council are assignable; officer and lead follow from memberships', () => {
  assert.equal([...ASSIGNABLE_ROLES].sort(), ['admin', 'chief', 'hr_analyst', 'works_council']);
  for (const role of ASSIGNABLE_ROLES) assert.ok((ROLES as readonly string[]).includes(role));
});

test('an error body is exactly a known code and a message', () => {
  assert.ok(Value.Check(ErrorBody, { code: 'forbidden', message: 'No.' }));
  assert.not.ok(Value.Check(ErrorBody, { code: 'made_up', message: 'No.' }));
  assert.not.ok(Value.Check(ErrorBody, { code: 'forbidden', message: 'No.', stack: 'x' }));
});

test('request bodies refuse unknown properties', () => {
  assert.ok(Value.Check(LoginBody, { username: 'a', password: 'b' }));
  assert.not.ok(Value.Check(LoginBody, { username: 'a', password: 'b', remember: true }));
  assert.not.ok(Value.Check(LoginBody, { username: '', password: 'b' }));
});

test('ids are UUIDs', () => {
  const params = IdParams('unitId');
  assert.ok(Value.Check(params, { unitId: '3f1c2a9e-8d2b-4c1e-9a57-0b6f1d2e3c4a' }));
  assert.not.ok(Value.Check(params, { unitId: '42' }));
  assert.not.ok(Value.Check(params, { unitId: '3f1c2a9e-8d2b-4c1e-9a57-0b6f1d2e3c4a', extra: 1 }));
});

test('a person needs a valid e-mail address and a supported language', () => {
  const person = {
    employeeNumber: 'NL123456',
    givenName: 'Fatima',
    familyName: 'El Idrissi',
    email: 'fatima.elidrissi@politie.example',
    language: 'nl-BE',
  };
  assert.ok(Value.Check(CreatePersonBody, person));
  assert.not.ok(Value.Check(CreatePersonBody, { ...person, email: 'not an address' }));
  assert.not.ok(Value.Check(CreatePersonBody, { ...person, language: 'fr' }));
  assert.not.ok(Value.Check(CreatePersonBody, { ...person, employeeNumber: 'NL 123' }));
});

test('membership dates are calendar dates', () => {
  const base = { unitId: '3f1c2a9e-8d2b-4c1e-9a57-0b6f1d2e3c4a', kind: 'lead' };
  assert.ok(Value.Check(AddMembershipBody, { ...base, joinedOn: '2026-02-28' }));
  assert.not.ok(Value.Check(AddMembershipBody, { ...base, joinedOn: '28-02-2026' }));
  assert.not.ok(Value.Check(AddMembershipBody, { ...base, kind: 'boss', joinedOn: '2026-02-28' }));
});

test('a page of people is at most 100 long', () => {
  assert.ok(Value.Check(PeopleQuery, { pageSize: 100 }));
  assert.not.ok(Value.Check(PeopleQuery, { pageSize: 101 }));
  assert.not.ok(Value.Check(PeopleQuery, { page: 0 }));
});

test.run();

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isInScope, isRootPath, permissionsOf, scopeOf, type Grant } from '../src/index.ts';

const access = suite('access');

const corps = '/corps/';
const district = '/corps/ru/district/';
const team = '/corps/ru/district/bt/team/';
const zone = '/zone/';

access('an officer holds nothing beyond a session', () => {
  const grants: Grant[] = [{ role: 'officer', unitId: 'team', unitPath: team }];
  assert.equal(permissionsOf(grants).sort(), ['public', 'session']);
});

access('a team lead gets no administrative or organisation permission', () => {
  const grants: Grant[] = [{ role: 'team_lead', unitId: 'team', unitPath: team }];
  assert.not.ok(permissionsOf(grants).includes('org:read'));
});

access('the works council reads the audit log but never people', () => {
  const held = permissionsOf([{ role: 'works_council', unitId: 'corps', unitPath: corps }]);
  assert.ok(held.includes('audit:read'));
  assert.not.ok(held.includes('people:read'));
  assert.not.ok(held.includes('org:manage'));
});

access('a chief reads the organisation below them and nothing else', () => {
  const grants: Grant[] = [{ role: 'chief', unitId: 'district', unitPath: district }];
  const scope = scopeOf(grants, 'org:read');
  assert.ok(isInScope(scope, team));
  assert.ok(isInScope(scope, district));
  assert.not.ok(isInScope(scope, corps));
  assert.not.ok(isInScope(scope, '/corps/ru/other-district/'));
});

access('a scope comes only from roles that carry the permission', () => {
  const grants: Grant[] = [
    { role: 'officer', unitId: 'corps', unitPath: corps },
    { role: 'admin', unitId: 'zone', unitPath: zone },
  ];
  assert.equal(scopeOf(grants, 'people:manage'), [zone]);
  assert.equal(scopeOf(grants, 'audit:read'), [zone]);
});

access('nested scopes fold into the outer one', () => {
  const grants: Grant[] = [
    { role: 'chief', unitId: 'district', unitPath: district },
    { role: 'hr_analyst', unitId: 'corps', unitPath: corps },
  ];
  assert.equal(scopeOf(grants, 'org:read'), [corps]);
});

access('a prefix must match whole path segments', () => {
  // '/corps/' must not cover '/corpsx/': paths always end with a slash.
  assert.not.ok(isInScope(['/corps/'], '/corpsx/team/'));
});

access('an empty scope admits nothing', () => {
  assert.not.ok(isInScope([], team));
});

access('recognises root paths', () => {
  assert.ok(isRootPath(corps));
  assert.not.ok(isRootPath(district));
});

access.run();

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AuditPage, CreateAccountResponse, PersonDetail } from '@teamspiegel/contracts';
import { withTestApp } from './helpers.ts';
import { browserAs, unitIdByCode } from './support.ts';

/**
 * The audit log names a target person only on a line of an organisation whose people the reader
 * reads: an administrator of the zone who is also on the corps' works council reads the corps'
 * log, but not the names of the people in it.
 */
const s = suite('audit: names of people follow people:read');
const t = withTestApp(s);

s(
  'a person is named on lines of the organisation the reader administers, not elsewhere',
  async () => {
    const admin = await browserAs(t.app, 'demo-admin');
    const zone = await unitIdByCode(t.db, 'BE-SCH');
    const corps = await unitIdByCode(t.db, 'NL');
    const person = await admin.post('/api/v1/people', {
      employeeNumber: 'AN-1',
      givenName: 'Anouk',
      familyName: 'Naamloos',
      email: 'an1@zone.example',
      language: 'nl',
    });
    assert.is(person.statusCode, 201, person.body);
    const id = person.json<PersonDetail>().id;
    const account = await admin.post(`/api/v1/people/${id}/account`, { username: 'an.reader' });
    assert.is(account.statusCode, 201, account.body);
    for (const [role, unitId] of [
      ['admin', zone],
      ['works_council', corps],
    ] as const) {
      const granted = await admin.post(`/api/v1/people/${id}/roles`, { role, unitId });
      assert.is(granted.statusCode, 201, granted.body);
    }
    const tmp = account.json<CreateAccountResponse>().temporaryPassword;
    const first = await browserAs(t.app, 'an.reader', tmp);
    const password = 'een-eigen-zin-voor-het-auditlog';
    const changed = await first.post('/api/v1/auth/password', {
      currentPassword: tmp,
      newPassword: password,
    });
    assert.is(changed.statusCode, 204, changed.body);
    const reader = await browserAs(t.app, 'an.reader', password);
    const log = await reader.get(`/api/v1/audit?action=role.assigned&targetId=${id}&pageSize=100`);
    assert.is(log.statusCode, 200, log.body);
    const { items } = log.json<AuditPage>();
    const byRole = new Map(items.map((e) => [e.details.role, e]));
    assert.is(byRole.get('admin')?.targetLabel ?? null, 'Anouk Naamloos', 'named in the zone');
    assert.ok(byRole.has('works_council'), 'the corps line is readable');
    assert.is(byRole.get('works_council')!.targetLabel, null, 'not named in the corps');
  },
);

s.run();

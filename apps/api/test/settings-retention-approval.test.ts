import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RosterChangePending, SettingsView } from '@teamspiegel/contracts';
import { withTestApp } from './helpers.ts';
import {
  auditEvents,
  type Browser,
  browserAs,
  expectRefused,
  unitIdByCode,
  zoneAdminAccount,
} from './support.ts';

/**
 * Lowering a retention period makes the next daily retention run delete results or comments
 * for good: one administrator may not do it alone. It waits for a second administrator (one
 * the operator appointed); raising applies at once. Each is audited.
 */
const s = suite('lowering retention needs a second administrator');
const t = withTestApp(s);
let admin: Browser;
let second: Browser;
let organisationId: string;

s.before(async () => {
  admin = await browserAs(t.app, 'demo-admin');
  second = await browserAs(t.app, (await zoneAdminAccount(t.db)).username);
  organisationId = await unitIdByCode(t.db, 'BE-SCH');
});

const settingsNow = async () =>
  (await admin.get(`/api/v1/settings?organisationId=${organisationId}`)).json<SettingsView>()
    .settings;

async function setRetention(resultsYears: number, commentsMonths: number) {
  const settings = await settingsNow();
  return admin.request('PUT', '/api/v1/settings', {
    organisationId,
    settings: { ...settings, retention: { resultsYears, commentsMonths } },
  });
}

s('one administrator lowering retention gets 202 and nothing changes until approved', async () => {
  assert.equal((await settingsNow()).retention, { resultsYears: 5, commentsMonths: 24 });
  const linesBefore = (await auditEvents(t.db, 'settings.changed')).length;

  // Results lowered, comments raised in one request: the raise applies now, the lowering waits.
  const r = await setRetention(2, 36);
  assert.is(r.statusCode, 202, r.body);
  const pending = r.json<RosterChangePending>();
  assert.is(pending.change.kind, 'retention');
  assert.is(pending.change.facts.resultsYears, '2');
  assert.equal((await settingsNow()).retention, { resultsYears: 5, commentsMonths: 36 });

  // The proposer cannot approve it alone.
  expectRefused(
    await admin.post(`/api/v1/roster-changes/${pending.change.id}/approve`, {}),
    409,
    'four_eyes_required',
  );
  assert.equal((await settingsNow()).retention, { resultsYears: 5, commentsMonths: 36 });

  const approved = await second.post(`/api/v1/roster-changes/${pending.change.id}/approve`, {});
  assert.is(approved.statusCode, 200, approved.body);
  // Only the lowered period changes; the raise made at once stays.
  assert.equal((await settingsNow()).retention, { resultsYears: 2, commentsMonths: 36 });

  const lines = await auditEvents(t.db, 'settings.changed');
  assert.is(lines.length, linesBefore + 2, 'the raise and the approved lowering, one line each');
  const lowering = JSON.parse(lines[0]!.details) as Record<string, unknown>;
  assert.is(lowering.rosterChangeId, pending.change.id);
  assert.is(lowering['retention.resultsYears.old'], 5);
  assert.is(lowering['retention.resultsYears.new'], 2);
  assert.is(lines[0]!.actor_person_id, (await zoneAdminAccount(t.db)).personId);
});

s('lowering comments alone waits too; raising applies at once', async () => {
  const before = await settingsNow();
  const r = await setRetention(before.retention.resultsYears, 12);
  assert.is(r.statusCode, 202, r.body);
  assert.is(r.json<RosterChangePending>().change.facts.commentsMonths, '12');
  assert.equal((await settingsNow()).retention, before.retention);

  const raised = await setRetention(before.retention.resultsYears + 3, 48);
  assert.is(raised.statusCode, 200, raised.body);
  assert.equal((await settingsNow()).retention, {
    resultsYears: before.retention.resultsYears + 3,
    commentsMonths: 48,
  });
});

s.run();

import type { Kysely } from 'kysely';
import type { Database, NewAccount } from '../src/schema.ts';
import { buildBelgianZone } from './belgian-zone.ts';
import { OrgBuilder, emptyPlan, type Clock, type DemoPlan } from './build.ts';
import { buildDutchCorps } from './dutch-corps.ts';
import { Generator, addDays, assertDate, instantOn } from './generator.ts';
import { insertChunked } from './insert.ts';

/**
 * Deterministic demo data: a Dutch-style corps and a Belgian-style zone with dated memberships,
 * role assignments and one login per role. The same `today` always gives the same rows, ids
 * included, so screenshots, tests and bug reports can point at the same data.
 *
 * Usage: seed only an empty database:
 *   if (await isDatabaseEmpty(db)) await seedDemo(db, { today, hashPassword, demoPassword });
 * seedDemo itself refuses (throws, inserting nothing) when units or people already exist.
 */

export const DEMO_ACCOUNTS = [
  'demo-admin',
  'demo-hr',
  'demo-chief',
  'demo-lead',
  'demo-officer',
  'demo-council',
  'demo-admin-2',
] as const;
export type DemoUsername = (typeof DEMO_ACCOUNTS)[number];

export interface SeedOptions {
  /** Calendar date the data is built around (YYYY-MM-DD): joins, leaves and newcomers are relative to it. */
  today: string;
  hashPassword: (plain: string) => Promise<string>;
  /** Password of every demo account. */
  demoPassword: string;
}

export interface SeedSummary {
  units: number;
  people: number;
  memberships: number;
  roleAssignments: number;
  accounts: string[];
}

export type { DemoPlan } from './build.ts';

// Fixed seeds, one per organisation, so each can change without reshuffling the other.
const CORPS_SEED = 20_261_123;
const ZONE_SEED = 5_999;
/** The demo people's hand-written join dates (2018-2022) must lie before `today`. */
const EARLIEST_TODAY = '2023-01-01';

/** Builds the whole data set in memory, without I/O. Exported for tests and benchmarks. */
export function buildDemoPlan(today: string): DemoPlan {
  assertDate(today);
  if (today < EARLIEST_TODAY)
    throw new Error(`today must be ${EARLIEST_TODAY} or later, got ${today}`);
  // Go-live early in the year three years back: before every leave date (at most two years back),
  // so no one is deactivated before the row was created.
  const clock: Clock = { today, goLive: `${Number(today.slice(0, 4)) - 3}-01-08` };
  const plan = emptyPlan();

  const nlGen = new Generator({
    seed: CORPS_SEED,
    locale: 'nl',
    employeePrefix: 'NL',
    emailDomain: 'politie.example',
  });
  // A few officers in a Dutch corps prefer English.
  const corpsBuilder = new OrgBuilder(nlGen, plan, clock, () => (nlGen.chance(0.03) ? 'en' : 'nl'));
  const corps = buildDutchCorps(corpsBuilder);
  corpsBuilder.finish();

  const beGen = new Generator({
    seed: ZONE_SEED,
    locale: 'nl-BE',
    employeePrefix: 'BE',
    emailDomain: 'zone.example',
  });
  const zoneBuilder = new OrgBuilder(beGen, plan, clock, () => 'nl-BE');
  const zone = buildBelgianZone(zoneBuilder);
  zoneBuilder.finish();

  // demo-admin administers both organisations.
  zoneBuilder.assignRole(corps.demo.admin, 'admin', zone.root);
  // A second administrator of the corps, so a change to a roster frozen by a wave can be
  // proposed by one and approved by the other (four eyes). Added after the corps is built, so
  // the generated people stay exactly as they were.
  const secondAdmin = corpsBuilder.addPerson({ givenName: 'Daan', familyName: 'Mulder' });
  corpsBuilder.addMembership(secondAdmin, corps.root, 'member', '2020-03-01');
  corpsBuilder.assignRole(secondAdmin, 'admin', corps.root);

  const accountHolders: Record<DemoUsername, { id: string }> = {
    'demo-admin': corps.demo.admin,
    'demo-hr': corps.demo.hr,
    'demo-chief': corps.demo.chief,
    'demo-lead': corps.demo.lead,
    'demo-officer': corps.demo.officer,
    'demo-council': corps.demo.council,
    'demo-admin-2': secondAdmin,
  };
  for (const username of DEMO_ACCOUNTS)
    plan.accounts.push({ username, personId: accountHolders[username].id });
  return plan;
}

/** True when the database holds no units and no people: the only state seedDemo accepts. */
export async function isDatabaseEmpty(db: Kysely<Database>): Promise<boolean> {
  const unit = await db.selectFrom('unit').select('id').limit(1).executeTakeFirst();
  const person = await db.selectFrom('person').select('id').limit(1).executeTakeFirst();
  return unit === undefined && person === undefined;
}

/**
 * Inserts the demo data in one transaction: all of it or nothing. Throws without changing
 * anything when the database is not empty, so running it twice cannot duplicate or mix data.
 */
export async function seedDemo(db: Kysely<Database>, options: SeedOptions): Promise<SeedSummary> {
  const plan = buildDemoPlan(options.today);
  // Refuse early, before the slow hashing; checked again inside the transaction below.
  if (!(await isDatabaseEmpty(db))) throw notEmpty();

  // Hash outside the transaction: password hashing is slow on purpose and must not hold the
  // write lock. One call per account, so each gets its own salt.
  const passwordChangedAt = instantOn(addDays(options.today, -1), 8);
  const accounts: NewAccount[] = [];
  for (const a of plan.accounts) {
    accounts.push({
      person_id: a.personId,
      username: a.username,
      password_hash: await options.hashPassword(options.demoPassword),
      must_change_password: 0,
      password_changed_at: passwordChangedAt,
    });
  }

  await db.transaction().execute(async (trx) => {
    // Checked again inside the transaction: the check and the inserts are one unit of work.
    if (!(await isDatabaseEmpty(trx))) throw notEmpty();
    await insertChunked(trx, 'unit', plan.units);
    await insertChunked(trx, 'person', plan.people);
    await insertChunked(trx, 'membership', plan.memberships);
    await insertChunked(trx, 'role_assignment', plan.roleAssignments);
    await insertChunked(trx, 'account', accounts);
  });

  return {
    units: plan.units.length,
    people: plan.people.length,
    memberships: plan.memberships.length,
    roleAssignments: plan.roleAssignments.length,
    accounts: accounts.map((a) => a.username),
  };
}

function notEmpty(): Error {
  return new Error(
    'seedDemo: the database already holds units or people; demo data is only seeded into an empty database',
  );
}

// The first administrator of a fresh installation (docs/operations.md, "First start").
//
// In production no demo organisation is seeded, so the database starts without any account:
// nobody could log in, create a unit or import the HR files. `pnpm teamspiegel
// init-organisation` creates, in one transaction, an organisation's root unit, a person, a
// local account with a one-time password that must be changed at the first login, and the
// administrator role at the root, each with the audit line the API writes for it (actor: none,
// the operator's command line).
//
// It runs beside a running server: one short write transaction on the same SQLite file (WAL),
// taken with BEGIN IMMEDIATE so it waits for the server's writes instead of failing midway.

import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { Type, type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import {
  CreateAccountBody,
  CreatePersonBody,
  CreateUnitBody,
  UNIT_KINDS,
  type UnitKind,
} from '@teamspiegel/contracts';
import { ALLOWED_CHILD_KINDS, childPath } from '@teamspiegel/core';
import type { Db } from '@teamspiegel/db';
import { recordAudit, type AuditDetails } from '../audit/audit.repository.ts';
import { hashPassword, temporaryPassword } from '../auth/passwords.ts';

/** Refused for a reason the operator can act on; nothing was changed. */
export class InitOrganisationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InitOrganisationError';
  }
}

/** Kinds that never sit below another unit: the top of an organisation (corps, zone). */
export const ROOT_KINDS: readonly UnitKind[] = UNIT_KINDS.filter(
  (kind) => !Object.values(ALLOWED_CHILD_KINDS).some((children) => children.includes(kind)),
);

/** The root unit: the API's unit fields without a parent, and only a kind that may be a root. */
const RootUnit = Type.Object(
  {
    code: CreateUnitBody.properties.code,
    name: CreateUnitBody.properties.name,
    kind: Type.Enum(ROOT_KINDS),
  },
  { additionalProperties: false },
);

export interface InitOrganisationInput {
  unit: Static<typeof RootUnit>;
  person: CreatePersonBody;
  account: CreateAccountBody;
}

export interface InitOrganisationResult {
  unitId: string;
  personId: string;
  username: string;
  /** Shown once to the operator; only its hash is stored. */
  temporaryPassword: string;
}

export const INIT_USAGE = `Usage:
  pnpm teamspiegel init-organisation --unit-code <code> --unit-name <name> --unit-kind <${ROOT_KINDS.join('|')}>
      --employee-number <number> --given-name <name> --family-name <name> --email <address>
      [--language <nl|nl-BE|en>] --username <username>

  Creates an organisation's root unit and its first administrator, whose one-time password
  is printed once and must be changed at the first login.`;

/** Each flag, and where its value goes in the input the API's schemas check. */
const FLAGS = {
  'unit-code': ['unit', 'code'],
  'unit-name': ['unit', 'name'],
  'unit-kind': ['unit', 'kind'],
  'employee-number': ['person', 'employeeNumber'],
  'given-name': ['person', 'givenName'],
  'family-name': ['person', 'familyName'],
  email: ['person', 'email'],
  language: ['person', 'language'],
  username: ['account', 'username'],
} as const satisfies Record<string, readonly [keyof InitOrganisationInput, string]>;
type Flag = keyof typeof FLAGS;

const DEFAULT_LANGUAGE = 'nl';

/** The schema problems of one part, named by the flag the operator typed. */
function problemsOf(part: keyof InitOrganisationInput, schema: TSchema, value: object): string[] {
  if (Value.Check(schema, value)) return [];
  const flagOf = (field: string) =>
    (Object.keys(FLAGS) as Flag[]).find((f) => FLAGS[f][0] === part && FLAGS[f][1] === field);
  return [...Value.Errors(schema, value)].map((error) => {
    const field = error.instancePath.split('/')[1];
    const missing = (error.params as { requiredProperties?: string[] }).requiredProperties;
    const flag = flagOf(field ?? missing?.[0] ?? '');
    if (!field && flag) return `--${flag} is required`;
    const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
    if (allowed) return `--${flag ?? part}: must be one of ${allowed.join(', ')}`;
    return `--${flag ?? part}: ${error.message}`;
  });
}

/**
 * The command's flags to a checked input, with the same schemas the API checks a new unit,
 * person and account with. Throws an InitOrganisationError naming every problem.
 */
export function parseInitOrganisationArgs(args: readonly string[]): InitOrganisationInput {
  let values: Partial<Record<Flag, string>>;
  try {
    const options = Object.fromEntries(
      Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }]),
    ) as Record<Flag, { type: 'string' }>;
    ({ values } = parseArgs({ args: [...args], options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new InitOrganisationError(`${(err as Error).message}\n${INIT_USAGE}`);
  }
  const input = { unit: {}, person: {}, account: {} } as Record<
    keyof InitOrganisationInput,
    Record<string, string>
  >;
  input.person.language = DEFAULT_LANGUAGE;
  for (const flag of Object.keys(FLAGS) as Flag[]) {
    const value = values[flag];
    if (value === undefined) continue;
    const [part, field] = FLAGS[flag];
    input[part][field] = value;
  }
  const problems = [
    ...problemsOf('unit', RootUnit, input.unit),
    ...problemsOf('person', CreatePersonBody, input.person),
    ...problemsOf('account', CreateAccountBody, input.account),
  ];
  if (problems.length) {
    throw new InitOrganisationError(
      `refused, nothing was changed:\n  ${[...new Set(problems)].join('\n  ')}\n${INIT_USAGE}`,
    );
  }
  return input as unknown as InitOrganisationInput;
}

/** What is taken already among the codes and names asked for, in words. */
async function takenOf(trx: Db, input: InitOrganisationInput): Promise<string[]> {
  const [unit, person, account] = await Promise.all([
    trx.selectFrom('unit').select('id').where('code', '=', input.unit.code).executeTakeFirst(),
    trx
      .selectFrom('person')
      .select('id')
      .where('employee_number', '=', input.person.employeeNumber)
      .executeTakeFirst(),
    trx
      .selectFrom('account')
      .select('person_id')
      .where('username', '=', input.account.username)
      .executeTakeFirst(),
  ]);
  return [
    unit && `another unit already has the code ${input.unit.code}`,
    person && `another person already has the employee number ${input.person.employeeNumber}`,
    account && `the username ${input.account.username} is already in use`,
  ].filter((problem): problem is string => Boolean(problem));
}

/** Runs `work` in one write transaction that holds the write lock from its start (SQLite). */
async function immediateTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await work(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (err) {
      await sql`rollback`.execute(conn);
      throw err;
    }
  });
}

/**
 * Creates the organisation's root unit, its first administrator (a person with a local account
 * whose temporary password must be changed at the first login) and the administrator role at
 * the root, with their audit lines, in one transaction. Refuses, changing nothing, when the
 * unit code, employee number or username is taken.
 */
export async function initOrganisation(
  db: Db,
  input: InitOrganisationInput,
  options: { now?: Date } = {},
): Promise<InitOrganisationResult> {
  const now = options.now ?? new Date();
  const at = now.toISOString();
  const password = temporaryPassword();
  // Hashed before the transaction: the write lock is held for the inserts only.
  const passwordHash = await hashPassword(password);
  const unitId = randomUUID();
  const personId = randomUUID();
  const path = childPath(null, unitId);
  const { unit, person, account } = input;
  // The audit log names no actor for the operator's command line; the details say where from.
  const from: AuditDetails = { via: 'operator CLI' };

  await immediateTransaction(db, async (trx) => {
    const taken = await takenOf(trx, input);
    if (taken.length) {
      throw new InitOrganisationError(`refused, nothing was changed: ${taken.join('; ')}`);
    }
    await trx
      .insertInto('unit')
      .values({
        id: unitId,
        parent_id: null,
        code: unit.code,
        name: unit.name,
        kind: unit.kind,
        path,
        archived_at: null,
        created_at: at,
      })
      .execute();
    await recordAudit(trx, now, {
      actorId: null,
      scopePath: path,
      action: 'unit.created',
      targetType: 'unit',
      targetId: unitId,
      details: { name: unit.name, code: unit.code, kind: unit.kind, parentId: null, ...from },
    });
    await trx
      .insertInto('person')
      .values({
        id: personId,
        employee_number: person.employeeNumber,
        given_name: person.givenName,
        family_name: person.familyName,
        email: person.email,
        language: person.language,
        deactivated_at: null,
        created_at: at,
      })
      .execute();
    await recordAudit(trx, now, {
      actorId: null,
      scopePath: path,
      action: 'person.created',
      targetType: 'person',
      targetId: personId,
      details: { employeeNumber: person.employeeNumber, ...from },
    });
    await trx
      .insertInto('account')
      .values({
        person_id: personId,
        username: account.username,
        password_hash: passwordHash,
        must_change_password: 1,
        password_changed_at: at,
      })
      .execute();
    await recordAudit(trx, now, {
      actorId: null,
      scopePath: path,
      action: 'person.account_created',
      targetType: 'person',
      targetId: personId,
      details: { username: account.username, ...from },
    });
    await trx
      .insertInto('role_assignment')
      .values({
        id: randomUUID(),
        person_id: personId,
        role: 'admin',
        unit_id: unitId,
        created_at: at,
      })
      .execute();
    await recordAudit(trx, now, {
      actorId: null,
      scopePath: path,
      action: 'role.assigned',
      targetType: 'person',
      targetId: personId,
      details: { role: 'admin', unitId, unitName: unit.name, ...from },
    });
  });
  return { unitId, personId, username: account.username, temporaryPassword: password };
}

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
//
// `pnpm teamspiegel add-administrator` appoints a further administrator at an organisation's
// root the same way (one shared function: person, account, role, audit lines). Four eyes
// (apps/api/src/roster/four-eyes.ts) refuses an approval between two administrators one of whom
// made the other; administrators the operator makes here are made by no administrator, so at
// least two of them are needed before any roster change can be approved.

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
import { makersOf } from '../roster/four-eyes.ts';

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

export const ADD_ADMINISTRATOR_USAGE = `Usage:
  pnpm teamspiegel add-administrator --organisation <unit code of the root>
      --employee-number <number> [--given-name <name> --family-name <name> --email <address>
      [--language <nl|nl-BE|en>]] [--username <username>]

  Appoints an administrator at the root of an organisation. With the names and e-mail a new
  person is created; without them the person with that employee number is appointed. A person
  without an account gets one (--username), whose one-time password is printed once and must be
  changed at the first login; a person with an account keeps it and its password. Administrators
  made by the operator approve each other's roster changes: make at least two.`;

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

const DEFAULT_LANGUAGE = 'nl';

/** The flags of add-administrator: the organisation's root, and the person's and account's. */
const ADD_FLAGS = {
  organisation: ['unit', 'code'],
  'employee-number': FLAGS['employee-number'],
  'given-name': FLAGS['given-name'],
  'family-name': FLAGS['family-name'],
  email: FLAGS.email,
  language: FLAGS.language,
  username: FLAGS.username,
} as const satisfies Record<string, readonly [keyof InitOrganisationInput, string]>;

type FlagMap = Record<string, readonly [keyof InitOrganisationInput, string]>;

/** The schema problems of one part, named by the flag the operator typed. */
function problemsOf(
  part: keyof InitOrganisationInput,
  schema: TSchema,
  value: object,
  flags: FlagMap = FLAGS,
): string[] {
  if (Value.Check(schema, value)) return [];
  const flagOf = (field: string) =>
    Object.keys(flags).find((f) => flags[f]![0] === part && flags[f]![1] === field);
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

/** The flags' values by part and field; unknown flags and positionals refused with `usage`. */
function readFlags(
  args: readonly string[],
  flags: FlagMap,
  usage: string,
): Record<keyof InitOrganisationInput, Record<string, string>> {
  let values: Record<string, string | undefined>;
  try {
    const options = Object.fromEntries(
      Object.keys(flags).map((flag) => [flag, { type: 'string' as const }]),
    );
    ({ values } = parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: false,
    }) as {
      values: Record<string, string | undefined>;
    });
  } catch (err) {
    throw new InitOrganisationError(`${(err as Error).message}\n${usage}`);
  }
  const input = { unit: {}, person: {}, account: {} } as Record<
    keyof InitOrganisationInput,
    Record<string, string>
  >;
  input.person.language = DEFAULT_LANGUAGE;
  for (const [flag, [part, field]] of Object.entries(flags)) {
    const value = values[flag];
    if (value !== undefined) input[part][field] = value;
  }
  return input;
}

function refuseProblems(problems: string[], usage: string): void {
  if (problems.length) {
    throw new InitOrganisationError(
      `refused, nothing was changed:\n  ${[...new Set(problems)].join('\n  ')}\n${usage}`,
    );
  }
}

/**
 * The command's flags to a checked input, with the same schemas the API checks a new unit,
 * person and account with. Throws an InitOrganisationError naming every problem.
 */
export function parseInitOrganisationArgs(args: readonly string[]): InitOrganisationInput {
  const input = readFlags(args, FLAGS, INIT_USAGE);
  refuseProblems(
    [
      ...problemsOf('unit', RootUnit, input.unit),
      ...problemsOf('person', CreatePersonBody, input.person),
      ...problemsOf('account', CreateAccountBody, input.account),
    ],
    INIT_USAGE,
  );
  return input as unknown as InitOrganisationInput;
}

export interface AddAdministratorInput {
  /** The unit code of the organisation's root. */
  organisation: string;
  /** A new person, or only the employee number of one that exists. */
  person: CreatePersonBody | { employeeNumber: string };
  /** Needed when the person has no account yet. */
  account: CreateAccountBody | null;
}

const EmployeeNumberOnly = Type.Object(
  { employeeNumber: CreatePersonBody.properties.employeeNumber },
  { additionalProperties: true },
);

/** add-administrator's flags to a checked input (see ADD_ADMINISTRATOR_USAGE). */
export function parseAddAdministratorArgs(args: readonly string[]): AddAdministratorInput {
  const input = readFlags(args, ADD_FLAGS, ADD_ADMINISTRATOR_USAGE);
  const creates = ['givenName', 'familyName', 'email'].some((f) => f in input.person);
  const problems = [
    ...(input.unit.code === undefined
      ? ['--organisation is required']
      : problemsOf(
          'unit',
          Type.Object({ code: CreateUnitBody.properties.code }),
          input.unit,
          ADD_FLAGS,
        )),
    ...problemsOf(
      'person',
      creates ? CreatePersonBody : EmployeeNumberOnly,
      input.person,
      ADD_FLAGS,
    ),
    ...(input.account.username === undefined
      ? []
      : problemsOf('account', CreateAccountBody, input.account, ADD_FLAGS)),
  ];
  refuseProblems(problems, ADD_ADMINISTRATOR_USAGE);
  return {
    organisation: input.unit.code!,
    person: creates
      ? (input.person as unknown as CreatePersonBody)
      : { employeeNumber: input.person.employeeNumber! },
    account: input.account.username === undefined ? null : { username: input.account.username },
  };
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

/** The audit log names no actor for the operator's command line; the details say where from. */
const FROM_CLI: AuditDetails = { via: 'operator CLI' };

interface Appointment {
  /** The root unit the administrator role is granted at. */
  unit: { id: string; path: string; name: string };
  /** A new person to create, or the id of one that exists. */
  person: { create: CreatePersonBody } | { id: string };
  /** A new account (its password hashed already), or none when the person has one. */
  account: { username: string; passwordHash: string } | null;
}

/**
 * Makes a person an administrator at an organisation's root in the caller's transaction: the
 * person (unless they exist), a local account whose temporary password must be changed at the
 * first login (unless they have one) and the role, each with the audit line the API writes for
 * it, actor none. Shared by init-organisation and add-administrator. Returns the person's id.
 */
async function appointAdministrator(trx: Db, now: Date, a: Appointment): Promise<string> {
  const at = now.toISOString();
  const audit = (
    action: 'person.created' | 'person.account_created' | 'role.assigned',
    personId: string,
    details: AuditDetails,
  ) =>
    recordAudit(trx, now, {
      actorId: null,
      scopePath: a.unit.path,
      action,
      targetType: 'person',
      targetId: personId,
      details: { ...details, ...FROM_CLI },
    });
  let personId: string;
  if ('create' in a.person) {
    const person = a.person.create;
    personId = randomUUID();
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
    await audit('person.created', personId, { employeeNumber: person.employeeNumber });
  } else {
    personId = a.person.id;
  }
  if (a.account) {
    await trx
      .insertInto('account')
      .values({
        person_id: personId,
        username: a.account.username,
        password_hash: a.account.passwordHash,
        must_change_password: 1,
        password_changed_at: at,
      })
      .execute();
    await audit('person.account_created', personId, { username: a.account.username });
  }
  await trx
    .insertInto('role_assignment')
    .values({
      id: randomUUID(),
      person_id: personId,
      role: 'admin',
      unit_id: a.unit.id,
      created_at: at,
    })
    .execute();
  await audit('role.assigned', personId, {
    role: 'admin',
    unitId: a.unit.id,
    unitName: a.unit.name,
  });
  return personId;
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
  const password = temporaryPassword();
  // Hashed before the transaction: the write lock is held for the inserts only.
  const passwordHash = await hashPassword(password);
  const unitId = randomUUID();
  const path = childPath(null, unitId);
  const { unit, person, account } = input;

  const personId = await immediateTransaction(db, async (trx) => {
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
        created_at: now.toISOString(),
      })
      .execute();
    await recordAudit(trx, now, {
      actorId: null,
      scopePath: path,
      action: 'unit.created',
      targetType: 'unit',
      targetId: unitId,
      details: { name: unit.name, code: unit.code, kind: unit.kind, parentId: null, ...FROM_CLI },
    });
    return appointAdministrator(trx, now, {
      unit: { id: unitId, path, name: unit.name },
      person: { create: person },
      account: { username: account.username, passwordHash },
    });
  });
  return { unitId, personId, username: account.username, temporaryPassword: password };
}

export interface AddAdministratorResult {
  personId: string;
  username: string;
  /** Shown once to the operator; null when the person kept the account they had. */
  temporaryPassword: string | null;
  /**
   * How many administrators made this person's record, account or an administrator role
   * before: four eyes never counts them and this administrator as two.
   */
  madeByAdministrators: number;
}

/**
 * Appoints an administrator at the root of the organisation whose root has the unit code
 * `input.organisation`, in one transaction: a new person or the active one with that employee
 * number, an account unless they have one, the role. Refuses, changing nothing, when the
 * organisation is unknown, a new person's employee number or the username is taken, an existing
 * person is deactivated, lacks an account and no username was given, has an account under
 * another name, or is an administrator there already.
 */
export async function addAdministrator(
  db: Db,
  input: AddAdministratorInput,
  options: { now?: Date } = {},
): Promise<AddAdministratorResult> {
  const now = options.now ?? new Date();
  const password = input.account ? temporaryPassword() : null;
  const passwordHash = password === null ? null : await hashPassword(password);
  const refuse = (problems: string[]) =>
    new InitOrganisationError(`refused, nothing was changed: ${problems.join('; ')}`);

  return immediateTransaction(db, async (trx) => {
    const unit = await trx
      .selectFrom('unit')
      .select(['id', 'path', 'name', 'parent_id', 'archived_at'])
      .where('code', '=', input.organisation)
      .executeTakeFirst();
    if (!unit || unit.parent_id !== null || unit.archived_at !== null) {
      throw refuse([
        unit
          ? `${input.organisation} is not the root unit of an organisation`
          : `no unit has the code ${input.organisation}`,
      ]);
    }
    const { employeeNumber } = input.person;
    const existing = await trx
      .selectFrom('person')
      .leftJoin('account', 'account.person_id', 'person.id')
      .select(['person.id', 'person.deactivated_at', 'account.username'])
      .where('person.employee_number', '=', employeeNumber)
      .executeTakeFirst();
    const creates = 'givenName' in input.person;
    const problems: string[] = [];
    if (creates && existing) {
      problems.push(
        `another person already has the employee number ${employeeNumber} (leave out the names and e-mail to appoint them)`,
      );
    }
    if (!creates && !existing) {
      problems.push(
        `no person has the employee number ${employeeNumber} (give --given-name, --family-name and --email to create one)`,
      );
    }
    if (existing?.deactivated_at) problems.push(`the person ${employeeNumber} is deactivated`);
    const hasAccount = !creates && existing?.username != null;
    if (hasAccount && input.account && input.account.username !== existing.username) {
      problems.push(`the person ${employeeNumber} has the account ${existing.username} already`);
    }
    if (!hasAccount && !input.account) problems.push('--username is required');
    if (!hasAccount && input.account) {
      const taken = await trx
        .selectFrom('account')
        .select('person_id')
        .where('username', '=', input.account.username)
        .executeTakeFirst();
      if (taken) problems.push(`the username ${input.account.username} is already in use`);
    }
    if (existing && !creates) {
      const already = await trx
        .selectFrom('role_assignment')
        .select('id')
        .where('person_id', '=', existing.id)
        .where('role', '=', 'admin')
        .where('unit_id', '=', unit.id)
        .executeTakeFirst();
      if (already) problems.push(`the person ${employeeNumber} is an administrator there already`);
    }
    if (problems.length) throw refuse(problems);

    const personId = await appointAdministrator(trx, now, {
      unit: { id: unit.id, path: unit.path, name: unit.name },
      person: creates ? { create: input.person as CreatePersonBody } : { id: existing!.id },
      account:
        hasAccount || !input.account
          ? null
          : { username: input.account.username, passwordHash: passwordHash! },
    });
    return {
      personId,
      madeByAdministrators: (await makersOf(trx, personId)).length,
      username: hasAccount ? existing.username! : input.account!.username,
      temporaryPassword: hasAccount ? null : password,
    };
  });
}

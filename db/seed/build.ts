import type { NewMembership, NewPerson, NewRoleAssignment, NewUnit } from '../src/schema.ts';
import { Generator, addDays, instantOn, type PersonName } from './generator.ts';

/**
 * In-memory model of the demo data. Building it is synchronous and does no I/O, so the whole
 * data set is fixed before the first insert and concurrent async work cannot reorder the
 * random draws.
 */
export interface DemoPlan {
  units: NewUnit[];
  people: NewPerson[];
  memberships: NewMembership[];
  roleAssignments: NewRoleAssignment[];
  /** Local logins; the password hash is added at insert time. */
  accounts: { username: string; personId: string }[];
}

export function emptyPlan(): DemoPlan {
  return { units: [], people: [], memberships: [], roleAssignments: [], accounts: [] };
}

/** Unit kinds as in packages/contracts org.ts (db must not import contracts). */
export type UnitKind =
  'corps' | 'zone' | 'regional_unit' | 'district' | 'basisteam' | 'service' | 'team';
export type AssignableRole = 'chief' | 'hr_analyst' | 'admin' | 'works_council';

export interface Clock {
  today: string;
  /** When the organisation was loaded into Teamspiegel: created_at of the imported rows. */
  goLive: string;
}

/** Current members' join dates start here; earlier history only appears for moves and leavers. */
const CURRENT_JOINS_FROM = '2015-01-01';
/** Share of current members who joined in the four weeks before today. */
const NEWCOMER_SHARE = 0.02;
/** Of all people: those with an earlier, ended membership in another team. */
const MOVER_SHARE = 0.05;
/** Of all people: those who left entirely (ended membership, nothing current). */
const LEAVER_SHARE = 0.03;

export interface TeamSpec {
  unit: NewUnit;
  /** Current members including the one lead. */
  size: number;
  /** Fixed (demo) people with fixed join dates; the rest are generated. */
  lead?: Placement;
  members?: Placement[];
}

export interface Placement {
  person: NewPerson;
  joinedOn: string;
}

/**
 * Builds one organisation into a shared plan. Holds the rules every organisation shares: ids and
 * paths, one lead per team, realistic join dates, and the history of moves and leavers.
 */
export class OrgBuilder {
  readonly teams: NewUnit[] = [];
  /** Fixed demo people: never picked as movers so their story stays the documented one. */
  private readonly pinned = new Set<string>();
  private readonly firstJoin = new Map<string, string>();
  private readonly ownPeople: NewPerson[] = [];

  constructor(
    readonly gen: Generator,
    private readonly plan: DemoPlan,
    readonly clock: Clock,
    private readonly language: () => string,
  ) {}

  get goLiveInstant(): string {
    return instantOn(this.clock.goLive, 8);
  }

  addUnit(spec: { parent: NewUnit | null; code: string; name: string; kind: UnitKind }): NewUnit {
    const id = this.gen.uuid();
    const unit: NewUnit = {
      id,
      parent_id: spec.parent?.id ?? null,
      code: spec.code,
      name: spec.name,
      kind: spec.kind,
      // Materialised path: the parent's path plus this id, so a subtree is one prefix range.
      path: `${spec.parent?.path ?? '/'}${id}/`,
      archived_at: null,
      created_at: this.goLiveInstant,
    };
    this.plan.units.push(unit);
    if (spec.kind === 'team') this.teams.push(unit);
    return unit;
  }

  /** A person with a random name, or a fixed (demo) name that is kept stable and never moved. */
  addPerson(name?: PersonName): NewPerson {
    const chosen = name ?? this.gen.name();
    const person: NewPerson = {
      id: this.gen.uuid(),
      employee_number: this.gen.employeeNumber(),
      given_name: chosen.givenName,
      family_name: chosen.familyName,
      email: this.gen.email(chosen),
      language: this.language(),
      deactivated_at: null,
      created_at: this.goLiveInstant, // corrected in finish() for people who joined after go-live
    };
    if (name) this.pinned.add(person.id);
    this.plan.people.push(person);
    this.ownPeople.push(person);
    return person;
  }

  addMembership(
    person: NewPerson,
    unit: NewUnit,
    kind: 'member' | 'lead',
    joinedOn: string,
    leftOn: string | null = null,
  ): NewMembership {
    if (leftOn !== null && leftOn <= joinedOn)
      throw new Error(`membership ends before it starts: ${joinedOn}..${leftOn}`);
    const membership: NewMembership = {
      id: this.gen.uuid(),
      person_id: person.id,
      unit_id: unit.id,
      kind,
      joined_on: joinedOn,
      left_on: leftOn,
    };
    this.plan.memberships.push(membership);
    const first = this.firstJoin.get(person.id);
    if (first === undefined || joinedOn < first) this.firstJoin.set(person.id, joinedOn);
    return membership;
  }

  assignRole(person: NewPerson, role: AssignableRole, unit: NewUnit): void {
    this.plan.roleAssignments.push({
      id: this.gen.uuid(),
      person_id: person.id,
      role,
      unit_id: unit.id,
      created_at: this.goLiveInstant,
    });
  }

  addAccount(username: string, person: NewPerson): void {
    this.plan.accounts.push({ username, personId: person.id });
  }

  /** Join date of a current member: mostly since 2015, a few newcomers in the last four weeks. */
  currentJoinDate(): string {
    const { today } = this.clock;
    if (this.gen.chance(NEWCOMER_SHARE))
      return this.gen.dateBetween(addDays(today, -28), addDays(today, -1));
    return this.gen.dateBetween(CURRENT_JOINS_FROM, addDays(today, -29));
  }

  /**
   * Fills a team to `size` current members: exactly one lead (a 'lead' row, no 'member' row
   * beside it) plus members; given demo people take their places first.
   */
  staffTeam(spec: TeamSpec): void {
    const lead = spec.lead ?? { person: this.addPerson(), joinedOn: this.currentJoinDate() };
    this.addMembership(lead.person, spec.unit, 'lead', lead.joinedOn);
    const fixed = spec.members ?? [];
    for (const m of fixed) this.addMembership(m.person, spec.unit, 'member', m.joinedOn);
    for (let i = 1 + fixed.length; i < spec.size; i++) {
      this.addMembership(this.addPerson(), spec.unit, 'member', this.currentJoinDate());
    }
  }

  /**
   * Adds history once all teams exist: moves (an ended membership in another team, ending the
   * day the current one starts, so they never overlap) and leavers (an ended membership and
   * nothing current; some deactivated). Then dates created_at for people who joined after go-live.
   */
  finish(): void {
    const { today } = this.clock;
    const teamIds = new Set(this.teams.map((t) => t.id));
    const current = this.plan.memberships.filter(
      (m) => teamIds.has(m.unit_id) && m.left_on === null && !this.pinned.has(m.person_id),
    );
    const total = this.ownPeople.length;

    const movers = this.gen.shuffle(current).slice(0, Math.round(total * MOVER_SHARE));
    for (const now of movers) {
      const person = this.ownPeople.find((p) => p.id === now.person_id);
      if (!person) continue;
      const previous = this.gen.pick(this.teams.filter((t) => t.id !== now.unit_id));
      const joined = this.gen.dateBetween(
        addDays(now.joined_on, -12 * 365),
        addDays(now.joined_on, -60),
      );
      this.addMembership(person, previous, 'member', joined, now.joined_on);
    }

    const leavers = Math.round(total * LEAVER_SHARE);
    for (let i = 0; i < leavers; i++) {
      const person = this.addPerson();
      const left = this.gen.dateBetween(addDays(today, -730), addDays(today, -7));
      const joined = this.gen.dateBetween(addDays(left, -12 * 365), addDays(left, -90));
      this.addMembership(person, this.gen.pick(this.teams), 'member', joined, left);
      // Some leavers are already deactivated, others still wait for HR to do it.
      if (this.gen.chance(0.6)) person.deactivated_at = instantOn(left, 8);
    }

    for (const person of this.ownPeople) {
      const first = this.firstJoin.get(person.id);
      if (first !== undefined && first > this.clock.goLive) person.created_at = instantOn(first, 7);
    }
  }
}

// The reference organisation of product.md "Budgets" and content.md "Organisations to model",
// generated straight into a SQLite database with the application's schema: one Dutch-style
// corps of 10 regional units plus a national unit, 43 districts, about 168 basisteams, and
// pulse teams of 8-30 people under them (a few below 5, to exercise merging), one lead per
// team, dated memberships with movers and leavers. 65,000 people and about 4,000 teams at full
// scale; smaller scales keep the proportions.
//
// Deterministic: the same seed and scale give the same rows (ids included). Rows go out in
// multi-row INSERTs inside one transaction while they are generated, so memory stays flat.
//
// Run by itself (prints what it made and how long it took):
//
//   cd bench && node --import tsx reference-org.ts [file.sqlite] [people]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createDb,
  migrateToLatest,
  type Db,
  type NewMembership,
  type NewPerson,
  type NewUnit,
} from '@teamspiegel/db';

/** The tables the generator writes, parents first. */
interface Rows {
  unit: NewUnit;
  person: NewPerson;
  membership: NewMembership;
}

export const REFERENCE_PEOPLE = 65_000;
/** Full-scale shape: regional units, districts, basisteams, mean pulse team size. */
const REGIONAL_UNITS = 10;
const DISTRICTS = 43;
const BASISTEAMS = 168;
const MEAN_TEAM = 16.25; // 65,000 / 4,000
/** Share of teams deliberately below K_E = 5. */
const SMALL_TEAM_SHARE = 0.01;
const NEWCOMER_SHARE = 0.02;
const MOVER_SHARE = 0.05;
/** Leavers: people with an ended membership only, on top of the current staff. */
const LEAVER_SHARE = 0.03;

export interface OrgOptions {
  /** Current staff (people with a current team membership). */
  people: number;
  /** Calendar date (YYYY-MM-DD) the memberships are current on. */
  today: string;
  seed?: number;
}

export interface OrgSummary {
  people: number;
  leavers: number;
  units: number;
  regionalUnits: number;
  districts: number;
  basisteams: number;
  teams: number;
  smallTeams: number;
  memberships: number;
  rootUnitId: string;
  ms: number;
}

// ------------------------------------------------------------------------------------------
// Seeded randomness (sfc32): fast, and the same sequence on every machine.

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 20; i++) this.next();
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    const t = (this.a + this.b + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) >>> 0;
    return t / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  /** A version-4-shaped UUID from this generator. */
  uuid(): string {
    const hex = (n: number) =>
      Math.floor(this.next() * 16 ** n)
        .toString(16)
        .padStart(n, '0');
    const variant = (8 + Math.floor(this.next() * 4)).toString(16);
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
  }
}

const GIVEN = [
  'Anouk', 'Bram', 'Daan', 'Eva', 'Fleur', 'Gijs', 'Hanna', 'Iris', 'Jesse', 'Kim', 'Lars',
  'Lotte', 'Milan', 'Noor', 'Olaf', 'Pien', 'Ruben', 'Sanne', 'Thijs', 'Vera', 'Wouter',
  'Yara', 'Sem', 'Julia', 'Mohamed', 'Fatima', 'Emre', 'Priya', 'Sven', 'Maaike', 'Koen',
  'Inge', 'Rachid', 'Esther', 'Joost', 'Lieke', 'Niels', 'Demi', 'Youssef', 'Bas',
]; // prettier-ignore
const FAMILY = [
  'de Vries', 'Jansen', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer',
  'Mulder', 'de Groot', 'Bos', 'Vos', 'Peters', 'Hendriks', 'van Leeuwen', 'Dekker', 'Brouwer',
  'de Wit', 'Dijkstra', 'Smits', 'de Graaf', 'van der Meer', 'Kok', 'Jacobs', 'de Haan',
  'Vermeulen', 'van Dijk', 'Yilmaz', 'El Amrani', 'Kaya', 'Schouten', 'Willems', 'Hoekstra',
  'Koster', 'Prins', 'Post', 'Kuipers', 'Veenstra', 'Maas', 'Verbeek',
]; // prettier-ignore
const TEAM_KINDS = [
  'Noodhulp A', 'Noodhulp B', 'Noodhulp C', 'Noodhulp D', 'Wijkteam', 'Opsporing',
  'Intake en service', 'Jeugd en zeden', 'Verkeer', 'Flex',
]; // prettier-ignore

// ------------------------------------------------------------------------------------------

const CHUNK = 200;

/** Buffers rows per table and flushes them as multi-row INSERTs of CHUNK rows. */
class Writer {
  private buffers = new Map<keyof Rows, Rows[keyof Rows][]>();
  constructor(private readonly db: Db) {}
  async add<T extends keyof Rows>(table: T, row: Rows[T]): Promise<void> {
    let buffer = this.buffers.get(table);
    if (!buffer) this.buffers.set(table, (buffer = []));
    buffer.push(row);
    if (buffer.length >= CHUNK) {
      // Foreign keys: a membership's person and unit go out first.
      if (table === 'membership') await this.flushAll();
      else await this.flush(table);
    }
  }
  async flush(table: keyof Rows): Promise<void> {
    const rows = this.buffers.get(table);
    if (!rows?.length) return;
    this.buffers.set(table, []);
    await this.db.insertInto(table).values(rows).execute();
  }
  /** Parents before children: units, people, then memberships. */
  async flushAll(): Promise<void> {
    for (const table of ['unit', 'person', 'membership'] as const) await this.flush(table);
  }
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00.000Z`) + days * 86_400_000)
    .toISOString()
    .slice(0, 10);
}

/** Splits `total` into `parts` near-equal positive integers. */
function split(total: number, parts: number): number[] {
  return Array.from(
    { length: parts },
    (_, i) => Math.floor((total * (i + 1)) / parts) - Math.floor((total * i) / parts),
  );
}

/** Builds the organisation into an empty, migrated database. */
export async function buildReferenceOrg(db: Db, options: OrgOptions): Promise<OrgSummary> {
  const start = performance.now();
  const rng = new Rng(options.seed ?? 20261123);
  const scale = options.people / REFERENCE_PEOPLE;
  const regionalCount = Math.max(1, Math.min(REGIONAL_UNITS, Math.round(REGIONAL_UNITS * scale)));
  const districtCount = Math.max(regionalCount, Math.round(DISTRICTS * scale));
  const basisteamCount = Math.max(districtCount, Math.round(BASISTEAMS * scale));
  const createdAt = `${addDays(options.today, -400)}T08:00:00.000Z`;
  const today = options.today;
  const summary: OrgSummary = {
    people: 0,
    leavers: 0,
    units: 0,
    regionalUnits: regionalCount,
    districts: districtCount,
    basisteams: basisteamCount,
    teams: 0,
    smallTeams: 0,
    memberships: 0,
    rootUnitId: '',
    ms: 0,
  };

  await db.transaction().execute(async (trx) => {
    const w = new Writer(trx);
    let employee = 0;
    const allTeams: string[] = [];

    const unit = async (
      parent: { id: string; path: string } | null,
      code: string,
      name: string,
      kind: string,
    ) => {
      const id = rng.uuid();
      const path = `${parent?.path ?? '/'}${id}/`;
      await w.add('unit', {
        id,
        parent_id: parent?.id ?? null,
        code,
        name,
        kind,
        path,
        archived_at: null,
        created_at: createdAt,
      });
      summary.units++;
      return { id, path };
    };

    const person = async (deactivated: boolean) => {
      const id = rng.uuid();
      employee++;
      const given = rng.pick(GIVEN);
      const family = rng.pick(FAMILY);
      await w.add('person', {
        id,
        employee_number: `NL${String(employee).padStart(6, '0')}`,
        given_name: given,
        family_name: family,
        email: `p${employee}@politie.example`,
        language: rng.chance(0.97) ? 'nl' : 'en',
        deactivated_at: deactivated ? `${addDays(today, -rng.int(30, 700))}T08:00:00.000Z` : null,
        created_at: createdAt,
      });
      return id;
    };

    const membership = async (
      personId: string,
      unitId: string,
      kind: string,
      joined: string,
      left: string | null,
    ) => {
      await w.add('membership', {
        id: rng.uuid(),
        person_id: personId,
        unit_id: unitId,
        kind,
        joined_on: joined,
        left_on: left,
      });
      summary.memberships++;
    };

    const joinDate = () =>
      rng.chance(NEWCOMER_SHARE)
        ? addDays(today, -rng.int(0, 27))
        : addDays(
            '2015-01-01',
            rng.int(
              0,
              Math.max(
                0,
                Date.parse(today) / 86_400_000 - Date.parse('2015-01-01') / 86_400_000 - 30,
              ),
            ),
          );

    const root = await unit(null, 'NL', 'Politie Nederland (benchmark)', 'corps');
    summary.rootUnitId = root.id;

    // Team sizes: mean about 16, 8-30, skewed towards smaller teams; a few below 5.
    const teamCount = Math.max(basisteamCount, Math.round(options.people / MEAN_TEAM));
    const sizes = Array.from({ length: teamCount }, () =>
      rng.chance(SMALL_TEAM_SHARE) ? rng.int(2, 4) : 8 + Math.floor(22 * rng.next() ** 1.75),
    );
    // Scale sizes so current staff adds up to `people` exactly.
    const drawn = sizes.reduce((a, b) => a + b, 0);
    let remaining = options.people - teamCount; // every team keeps at least... its lead
    for (let i = 0; i < sizes.length; i++) {
      const share = Math.round(
        ((sizes[i]! - 1) * (options.people - teamCount)) / (drawn - teamCount),
      );
      sizes[i] = 1 + Math.min(share, remaining);
      remaining -= sizes[i]! - 1;
    }
    sizes[sizes.length - 1]! += remaining;
    summary.smallTeams = sizes.filter((s) => s < 5).length;

    const regionalUnits = [];
    for (let r = 0; r < regionalCount; r++) {
      regionalUnits.push(await unit(root, `NL-E${r + 1}`, `Eenheid ${r + 1}`, 'regional_unit'));
    }
    // The national unit: its services hold teams too, directly below it.
    const national = await unit(root, 'NL-LE', 'Landelijke Eenheid', 'regional_unit');
    summary.regionalUnits++;

    const districtsPerRu = split(districtCount, regionalCount);
    const basisteamsPerDistrict = split(basisteamCount, districtCount);
    const parents: { id: string; path: string; code: string }[] = [];
    let d = 0;
    for (const [r, ru] of regionalUnits.entries()) {
      for (let i = 0; i < districtsPerRu[r]!; i++, d++) {
        const district = await unit(ru, `NL-E${r + 1}-D${i + 1}`, `District ${d + 1}`, 'district');
        for (let b = 0; b < basisteamsPerDistrict[d]!; b++) {
          const code = `NL-E${r + 1}-D${i + 1}-B${b + 1}`;
          const bt = await unit(district, code, `Basisteam ${code}`, 'basisteam');
          parents.push({ ...bt, code });
        }
      }
    }
    // About 6% of teams sit in national services (3 at reference scale: 1 per 20 basisteams).
    const serviceCount = Math.max(1, Math.round(basisteamCount / 20));
    for (let s = 0; s < serviceCount; s++) {
      const code = `NL-LE-S${s + 1}`;
      parents.push({ ...(await unit(national, code, `Dienst ${s + 1}`, 'service')), code });
    }

    const teamsPerParent = split(teamCount, parents.length);
    let t = 0;
    for (const [p, parent] of parents.entries()) {
      // The basisteam chief: a lead membership in the basisteam itself.
      await membership(await person(false), parent.id, 'lead', joinDate(), null);
      summary.people++;
      for (let k = 0; k < teamsPerParent[p]!; k++, t++) {
        const code = `${parent.code}-T${k + 1}`;
        const team = await unit(parent, code, `${rng.pick(TEAM_KINDS)} ${k + 1}`, 'team');
        allTeams.push(team.id);
        for (let m = 0; m < sizes[t]!; m++) {
          const id = await person(false);
          const joined = joinDate();
          await membership(id, team.id, m === 0 ? 'lead' : 'member', joined, null);
          summary.people++;
          // A mover: an earlier membership elsewhere, ended the day this one began.
          if (allTeams.length > 1 && rng.chance(MOVER_SHARE) && joined > '2015-03-01') {
            const earlier = addDays(joined, -rng.int(60, 900));
            await membership(
              id,
              rng.pick(allTeams),
              'member',
              earlier < '2010-01-01' ? '2010-01-01' : earlier,
              joined,
            );
          }
        }
      }
    }
    summary.teams = t;
    // Leavers: gone from the organisation, their ended membership kept as history.
    const leavers = Math.round(options.people * LEAVER_SHARE);
    for (let i = 0; i < leavers; i++) {
      const left = addDays(today, -rng.int(1, 700));
      await membership(
        await person(true),
        rng.pick(allTeams),
        'member',
        addDays(left, -rng.int(100, 3000)),
        left,
      );
    }
    summary.leavers = leavers;
    await w.flushAll();
  });
  summary.ms = performance.now() - start;
  return summary;
}

/** A fresh database file with the schema and the organisation; the caller destroys `db`. */
export async function createReferenceDb(
  file: string,
  options: OrgOptions,
): Promise<{ db: Db; summary: OrgSummary }> {
  const db = createDb(file);
  await migrateToLatest(db);
  const summary = await buildReferenceOrg(db, options);
  return { db, summary };
}

export function describeOrg(s: OrgSummary): string {
  return (
    `${s.people.toLocaleString('en')} people (+${s.leavers} leavers), ${s.teams} teams ` +
    `(${s.smallTeams} under 5), ${s.basisteams} basisteams + national services, ` +
    `${s.districts} districts, ${s.regionalUnits} regional units, ` +
    `${s.memberships.toLocaleString('en')} memberships`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2] ? null : mkdtempSync(join(tmpdir(), 'teamspiegel-org-'));
  const file = process.argv[2] ?? join(dir!, 'org.sqlite');
  const people = Number(process.argv[3] ?? REFERENCE_PEOPLE);
  const { db, summary } = await createReferenceDb(file, {
    people,
    today: new Date().toISOString().slice(0, 10),
  });
  await db.destroy();
  console.log(
    `${describeOrg(summary)}\ngenerated in ${(summary.ms / 1000).toFixed(1)} s into ${file}`,
  );
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  if (dir) rmSync(dir, { recursive: true, force: true });
}

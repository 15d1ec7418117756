import { Faker, base, en, nl, nl_BE } from '@faker-js/faker';

/**
 * Seeded source of everything random in the demo data: ids, names, numbers and dates.
 *
 * Each organisation gets its own Faker instance (the same locale chains as faker's `fakerNL` and
 * `fakerNL_BE`) rather than the shared global instances: reseeding a global would disturb anyone
 * else using it, and a private instance keeps the two organisations independent, so changing the
 * zone does not reshuffle every name in the corps.
 */
export type Locale = 'nl' | 'nl-BE';

export interface GeneratorOptions {
  seed: number;
  locale: Locale;
  /** 'NL' or 'BE': prefix of the 6-digit employee numbers. */
  employeePrefix: string;
  /** Example domain only (RFC 2606), never a real one. */
  emailDomain: string;
}

export interface PersonName {
  givenName: string;
  familyName: string;
}

export class Generator {
  readonly faker: Faker;
  private readonly employeeNumbers = new Set<string>();
  private readonly emails = new Set<string>();

  constructor(private readonly options: GeneratorOptions) {
    this.faker = new Faker({
      locale: options.locale === 'nl-BE' ? [nl_BE, nl, en, base] : [nl, en, base],
    });
    this.faker.seed(options.seed);
  }

  /** A version-4 UUID drawn from the seeded generator: random-looking, yet the same every run. */
  uuid(): string {
    return this.faker.string.uuid();
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return this.faker.number.int({ min, max });
  }

  chance(probability: number): boolean {
    return this.faker.number.float({ min: 0, max: 1 }) < probability;
  }

  pick<T>(items: readonly T[]): T {
    return this.faker.helpers.arrayElement(items);
  }

  /** Fisher-Yates on a copy, driven by the seeded generator. */
  shuffle<T>(items: readonly T[]): T[] {
    return this.faker.helpers.shuffle([...items]);
  }

  /** A date in [from, to], both inclusive, as YYYY-MM-DD. */
  dateBetween(from: string, to: string): string {
    const span = daysBetween(from, to);
    if (span < 0) throw new Error(`empty date range ${from}..${to}`);
    return addDays(from, this.int(0, span));
  }

  name(): PersonName {
    return { givenName: this.faker.person.firstName(), familyName: this.faker.person.lastName() };
  }

  /** 'NL123456' / 'BE123456', unique within this generator. */
  employeeNumber(): string {
    for (;;) {
      const candidate = this.options.employeePrefix + String(this.int(0, 999_999)).padStart(6, '0');
      if (!this.employeeNumbers.has(candidate)) {
        this.employeeNumbers.add(candidate);
        return candidate;
      }
    }
  }

  /**
   * firstname.lastname@domain, ascii only; a namesake gets a number (jan.devries2@...), as mail
   * administrators do. Also used to reserve the fixed demo names before the random ones.
   */
  email(name: PersonName): string {
    const local = `${slug(name.givenName)}.${slug(name.familyName)}`;
    for (let n = 1; ; n++) {
      const candidate = `${local}${n === 1 ? '' : n}@${this.options.emailDomain}`;
      if (!this.emails.has(candidate)) {
        this.emails.add(candidate);
        return candidate;
      }
    }
  }
}

/** 'van der Laan' -> 'vanderlaan', 'Hélène' -> 'helene', "'t Hart" -> 'thart'. */
export function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

// Calendar arithmetic on YYYY-MM-DD strings, in UTC so no time zone or DST can shift a day.

const DAY_MS = 86_400_000;

function toUtcMs(date: string): number {
  const ms = Date.parse(`${date}T00:00:00.000Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(date) ||
    Number.isNaN(ms) ||
    new Date(ms).toISOString().slice(0, 10) !== date
  ) {
    throw new Error(`not a calendar date (YYYY-MM-DD): ${date}`);
  }
  return ms;
}

export function addDays(date: string, days: number): string {
  return new Date(toUtcMs(date) + days * DAY_MS).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((toUtcMs(to) - toUtcMs(from)) / DAY_MS);
}

/** Throws unless `date` is a real calendar date; returns it for chaining. */
export function assertDate(date: string): string {
  toUtcMs(date);
  return date;
}

/** An instant on a calendar date, e.g. ('2026-01-05', 8) -> '2026-01-05T08:00:00.000Z'. */
export function instantOn(date: string, hourUtc: number): string {
  return `${date}T${String(hourUtc).padStart(2, '0')}:00:00.000Z`;
}

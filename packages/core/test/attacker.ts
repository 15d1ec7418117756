/**
 * The exact attacker of anonymity.md section 7 ("the strongest single test"), reusable by any
 * suite that can list what is published.
 *
 * Every published total (a mean's numerator, a count per option, a comment list) is the sum of
 * the hidden per-atom sums of the atoms it covers; an atom is a cell, or a (cell, wave) pair for
 * pooled periods. So each published group is a 0/1 row over the atoms, and what an attacker who
 * sees everything (all roles pooled, INV-5) can compute is exactly the row space. A group of
 * atoms is derivable when its indicator vector lies in that space. The attacker enumerates
 * every group of atoms whose total R is in 1..D-1 and decides membership by exact Gaussian
 * elimination over the rationals (BigInt rows, scaled to whole numbers, so nothing rounds).
 *
 * Atoms with R = 0 are known zeros: their columns are dropped. Atoms with R >= D cannot be
 * part of a group below D, so candidates are the atoms with 0 < R < D, in combinations whose
 * total stays below D.
 */

export interface PublishedGroup {
  /** Shown in failure messages, e.g. "score U@w2". */
  label?: string;
  /** The atoms the published figure sums over. */
  atoms: readonly string[];
}

export interface AttackOptions {
  groups: readonly PublishedGroup[];
  /** R of every atom (atoms not listed count as 0). */
  respondents: ReadonlyMap<string, number>;
  /** The subtraction minimum of the class under attack. */
  d: number;
  /** Stop after this many findings (default 10). */
  limit?: number;
  /** Refuse (throw) rather than test more candidate groups than this (default 1,000,000), so
   * a tree with very many small cells fails loudly instead of hanging a suite. */
  maxChecks?: number;
}

export interface DerivableGroup {
  atoms: string[];
  respondents: number;
}

const abs = (x: bigint) => (x < 0n ? -x : x);
function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Divides a row by the gcd of its entries (keeps it whole and small). */
function normalise(row: bigint[]): void {
  let g = 0n;
  for (const x of row) if (x !== 0n) g = gcd(g, x);
  if (g > 1n) for (let i = 0; i < row.length; i++) row[i] = row[i]! / g;
}

/** A row space in reduced row echelon form: each row's pivot is zero in every other row. */
export class RowSpace {
  private readonly rows: { pivot: number; row: bigint[] }[] = [];
  constructor(readonly width: number) {}

  get rank(): number {
    return this.rows.length;
  }

  /** v minus the combination of rows that clears every pivot column (scaled, never divided). */
  private reduce(v: bigint[]): bigint[] {
    const out = v.slice();
    for (const { pivot, row } of this.rows) {
      const f = out[pivot]!;
      if (f === 0n) continue;
      const p = row[pivot]!;
      for (let i = 0; i < out.length; i++) out[i] = out[i]! * p - row[i]! * f;
    }
    return out;
  }

  add(v: readonly bigint[]): void {
    const r = this.reduce([...v]);
    const pivot = r.findIndex((x) => x !== 0n);
    if (pivot < 0) return;
    normalise(r);
    if (r[pivot]! < 0n) for (let i = 0; i < r.length; i++) r[i] = -r[i]!;
    for (const other of this.rows) {
      const f = other.row[pivot]!;
      if (f === 0n) continue;
      for (let i = 0; i < r.length; i++) other.row[i] = other.row[i]! * r[pivot]! - r[i]! * f;
      normalise(other.row);
    }
    this.rows.push({ pivot, row: r });
  }

  contains(v: readonly bigint[]): boolean {
    return this.reduce([...v]).every((x) => x === 0n);
  }
}

/** Every group of atoms with 1..D-1 respondents that the published groups let one compute. */
export function derivableSmallGroups({
  groups,
  respondents,
  d,
  limit = 10,
  maxChecks = 1_000_000,
}: AttackOptions): DerivableGroup[] {
  const r = (atom: string) => respondents.get(atom) ?? 0;
  const columns = [...new Set(groups.flatMap((g) => g.atoms))].filter((a) => r(a) > 0).sort();
  const column = new Map(columns.map((a, i) => [a, i]));
  const space = new RowSpace(columns.length);
  for (const group of groups) {
    const row = columns.map(() => 0n);
    for (const atom of group.atoms) {
      const i = column.get(atom);
      if (i !== undefined) row[i] = 1n;
    }
    space.add(row);
  }

  const small = columns.filter((a) => r(a) < d);
  const found: DerivableGroup[] = [];
  const chosen: string[] = [];
  let checks = 0;
  const visit = (from: number, total: number): void => {
    for (let i = from; i < small.length && found.length < limit; i++) {
      const atom = small[i]!;
      const sum = total + r(atom);
      if (sum >= d) continue;
      if (++checks > maxChecks)
        throw new Error(`attacker: more than ${maxChecks} candidate groups`);
      chosen.push(atom);
      const v = columns.map(() => 0n);
      for (const a of chosen) v[column.get(a)!] = 1n;
      if (space.contains(v)) found.push({ atoms: [...chosen], respondents: sum });
      visit(i + 1, sum);
      chosen.pop();
    }
  };
  visit(0, 0);
  return found;
}

/**
 * The statistics behind published results (content.md "Scoring", docs/scoring.md). Pure
 * arithmetic over counts and sums: no I/O, no clock, no randomness. Proportions are in 0..1,
 * scores and differences of scores in the units they are given (POMP points for theme scores).
 */
import type { ParticipationBand, SizeBand } from '@teamspiegel/contracts';

/** The standard normal quantile for a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;

/** Sufficient statistics of a sample: count, sum and sum of squares (a theme tally's shape). */
export interface Moments {
  n: number;
  sum: number;
  sumSq: number;
}

export interface ProportionInterval {
  /** successes / n */
  proportion: number;
  low: number;
  high: number;
}

export interface MeanInterval {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1 in the denominator). */
  sd: number;
  low: number;
  high: number;
}

export interface DifferenceInterval {
  difference: number;
  low: number;
  high: number;
}

function checkCount(successes: number, n: number): void {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`n must be a positive integer: ${n}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(`successes must be an integer in 0..n: ${successes} of ${n}`);
  }
}

/**
 * Wilson score interval for a proportion, the true formula (content.md; not Agresti-Coull):
 * (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n). Exactly 0 at 0/n and 1 at n/n.
 */
export function wilsonInterval(successes: number, n: number, z = Z_95): ProportionInterval {
  checkCount(successes, n);
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return {
    proportion: p,
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === n ? 1 : Math.min(1, centre + half),
  };
}

/**
 * Newcombe's hybrid score interval for p1 - p2 of two independent samples (Newcombe 1998,
 * method 10: Wilson limits without continuity correction, combined by "square and add").
 */
export function newcombeDifference(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  z = Z_95,
): DifferenceInterval {
  const a = wilsonInterval(x1, n1, z);
  const b = wilsonInterval(x2, n2, z);
  const difference = a.proportion - b.proportion;
  return {
    difference,
    low: difference - Math.hypot(a.proportion - a.low, b.high - b.proportion),
    high: difference + Math.hypot(a.high - a.proportion, b.proportion - b.low),
  };
}

// --- Student's t distribution --------------------------------------------------------------
// No t quantile ships with Node, and the well-kept library for it (@stdlib) brings some 230
// packages for one function. So: the CDF through the regularised incomplete beta function
// (continued fraction, Numerical Recipes 3rd ed. 6.4, Lentz's method), and the quantile by
// Newton's method on that CDF, safeguarded by bisection. Tested against t tables and
// fractional degrees of freedom (Welch) to 1e-9.

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error about 1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let a = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(
    logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x),
  );
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(x, a, b)) / a
    : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** P(T > t) for t >= 0 with df degrees of freedom. */
function tUpperTail(t: number, df: number): number {
  return 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

function tDensity(t: number, df: number): number {
  const logC = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  return Math.exp(logC - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/** Student's t cumulative distribution function, df > 0 (need not be whole: Welch). */
export function tCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be positive: ${df}`);
  if (Number.isNaN(t)) return Number.NaN;
  const upper = tUpperTail(Math.abs(t), df);
  return t >= 0 ? 1 - upper : upper;
}

// A close scores thousands of nodes with the same few whole degrees of freedom: remember them.
const quantileCache = new Map<string, number>();
const QUANTILE_CACHE_SIZE = 4096;

/** Student's t quantile: the t with P(T <= t) = p, for 0 < p < 1 and df > 0. */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must lie strictly between 0 and 1: ${p}`);
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be positive: ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  if (!Number.isInteger(df)) return solveTQuantile(p, df);
  const key = `${p}|${df}`;
  let t = quantileCache.get(key);
  if (t === undefined) {
    t = solveTQuantile(p, df);
    if (quantileCache.size >= QUANTILE_CACHE_SIZE) quantileCache.clear();
    quantileCache.set(key, t);
  }
  return t;
}

function solveTQuantile(p: number, df: number): number {
  const q = 1 - p;
  // Bracket the root of tail(t) = q (tail falls from 0.5 at t = 0), then Newton with bisection.
  let lo = 0;
  let hi = 1;
  while (tUpperTail(hi, df) > q) {
    lo = hi;
    hi *= 2;
    if (!Number.isFinite(hi)) return Number.POSITIVE_INFINITY;
  }
  let t = (lo + hi) / 2;
  for (let i = 0; i < 200; i++) {
    const f = tUpperTail(t, df) - q;
    if (f > 0) lo = t;
    else hi = t;
    let next = t + f / tDensity(t, df);
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - t) <= 1e-14 * Math.max(1, t)) return next;
    t = next;
  }
  return t;
}

function checkMoments({ n, sum, sumSq }: Moments): void {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`an interval needs n >= 2: ${n}`);
  if (!Number.isFinite(sum) || !Number.isFinite(sumSq)) throw new RangeError('sums must be finite');
}

function variance({ n, sum, sumSq }: Moments): number {
  // Cancellation can leave a tiny negative number when every value is the same.
  return Math.max(0, (sumSq - (sum * sum) / n) / (n - 1));
}

/** Mean, standard deviation and Student t-interval of a sample given by its moments (n >= 2). */
export function meanInterval(moments: Moments, confidence = 0.95): MeanInterval {
  checkMoments(moments);
  const { n, sum } = moments;
  const mean = sum / n;
  const sd = Math.sqrt(variance(moments));
  const half = tQuantile(1 - (1 - confidence) / 2, n - 1) * (sd / Math.sqrt(n));
  return { n, mean, sd, low: mean - half, high: mean + half };
}

/**
 * Welch's interval for mean(a) - mean(b) of two independent samples (waves are unlinkable, so
 * two waves are independent samples; content.md), with Welch-Satterthwaite degrees of freedom.
 */
export function welchDifference(
  a: Moments,
  b: Moments,
  confidence = 0.95,
): DifferenceInterval & { df: number } {
  checkMoments(a);
  checkMoments(b);
  const difference = a.sum / a.n - b.sum / b.n;
  const va = variance(a) / a.n;
  const vb = variance(b) / b.n;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { difference, low: difference, high: difference, df: a.n + b.n - 2 };
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const half = tQuantile(1 - (1 - confidence) / 2, df) * se;
  return { difference, low: difference - half, high: difference + half, df };
}

export type ChangeVerdictValue = 'better' | 'worse' | 'no_clear_change';

/**
 * "Clearly better / worse" only when the interval excludes zero AND the difference is at least
 * `minimumPoints`; otherwise "no clear change" (content.md: no significance stars).
 */
export function changeVerdict(
  { difference, low, high }: DifferenceInterval,
  minimumPoints = 10,
): ChangeVerdictValue {
  if (low > 0 && difference >= minimumPoints) return 'better';
  if (high < 0 && difference <= -minimumPoints) return 'worse';
  return 'no_clear_change';
}

/**
 * Participation R/E as a band (INV-6), the same cut points as collection uses during a wave:
 * under 30%, 30% up to and including 60%, over 60%. Integer arithmetic, so 3/10 is exactly 30%.
 */
export function participationBand(respondents: number, eligible: number): ParticipationBand {
  if (!(eligible > 0)) throw new RangeError(`eligible must be positive: ${eligible}`);
  if (10 * respondents < 3 * eligible) return '<30%';
  if (5 * respondents <= 3 * eligible) return '30-60%';
  return '>60%';
}

/** A group's eligible count as a band: the count itself would invite subtraction. */
export function sizeBand(eligible: number): SizeBand {
  if (eligible < 10) return '5-9';
  if (eligible < 20) return '10-19';
  if (eligible < 50) return '20-49';
  return '50+';
}

/** Participation below 60% earns an "interpret with care" badge; it never suppresses (content.md). */
export function interpretWithCare(respondents: number, eligible: number): boolean {
  if (!(eligible > 0)) throw new RangeError(`eligible must be positive: ${eligible}`);
  return 5 * respondents < 3 * eligible;
}

/**
 * Recommendation score of a 0-10 question: % answering 9-10 minus % answering 0-6, over valid
 * answers (don't know excluded; content.md). Unrounded; `counts` maps answer value -> count.
 */
export function recommendationScore(counts: ReadonlyMap<number, number>): {
  score: number;
  n: number;
} {
  let n = 0;
  let promoters = 0;
  let detractors = 0;
  for (const [value, count] of counts) {
    if (!Number.isInteger(value) || value < 0 || value > 10) {
      throw new RangeError(`not an answer on the 0-10 scale: ${value}`);
    }
    n += count;
    if (value >= 9) promoters += count;
    else if (value <= 6) detractors += count;
  }
  if (n === 0) throw new RangeError('a recommendation score needs at least one valid answer');
  return { score: (100 * (promoters - detractors)) / n, n };
}

/**
 * Rounds half away from zero on the number's decimal form (so 0.25 -> 0.3 and 1.005 -> 1.01,
 * as a reader would round), never giving -0. INV-10: means to 0.1, percentages whole.
 */
export function roundTo(value: number, decimals: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`cannot round ${value}`);
  const magnitude = Math.abs(value);
  const scale = 10 ** decimals;
  const scaled = magnitude * scale;
  let rounded = Math.round(scaled) / scale;
  // Only near a half can binary error decide (1.005 is 1.00499999... in binary): decide those on
  // the decimal form, the way a reader rounds. Exponent forms (tiny or huge) are never halves.
  if (Math.abs(scaled - Math.floor(scaled) - 0.5) < 1e-6) {
    const text = String(magnitude);
    if (!text.includes('e')) {
      rounded = Number(`${Math.round(Number(`${text}e${decimals}`))}e-${decimals}`);
    }
  }
  return value < 0 && rounded !== 0 ? -rounded : rounded;
}

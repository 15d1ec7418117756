import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  changeVerdict,
  interpretWithCare,
  meanInterval,
  newcombeDifference,
  participationBand,
  recommendationScore,
  roundTo,
  sizeBand,
  tCdf,
  tQuantile,
  welchDifference,
  wilsonInterval,
  type Moments,
} from '../src/index.ts';

const close = (actual: number, expected: number, tolerance: number, what = '') =>
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what} ${actual} is not within ${tolerance} of ${expected}`,
  );

const pct = (x: number) => roundTo(100 * x, 1);

const moments = (values: number[]): Moments => ({
  n: values.length,
  sum: values.reduce((a, b) => a + b, 0),
  sumSq: values.reduce((a, b) => a + b * b, 0),
});

test('Wilson interval gives the reference values of content.md', () => {
  const cases: [number, number, number, number][] = [
    [4, 5, 37.6, 96.4],
    [7, 10, 39.7, 89.2],
    [15, 20, 53.1, 88.8],
  ];
  for (const [x, n, low, high] of cases) {
    const interval = wilsonInterval(x, n);
    assert.is(pct(interval.low), low, `${x}/${n} low`);
    assert.is(pct(interval.high), high, `${x}/${n} high`);
    assert.is(interval.proportion, x / n);
  }
});

test('Wilson interval is not the Agresti-Coull interval some libraries label "Wilson"', () => {
  // Agresti-Coull for 4/5 gives 36.0%..98.0%; the score interval is narrower at the top.
  const { low, high } = wilsonInterval(4, 5);
  assert.ok(pct(low) !== 36.0 && pct(high) !== 98.0);
});

test('Wilson interval is exactly 0 at 0/n and exactly 1 at n/n, never outside 0..1', () => {
  assert.equal(wilsonInterval(0, 10).low, 0);
  assert.is(pct(wilsonInterval(0, 10).high), 27.8);
  assert.equal(wilsonInterval(10, 10).high, 1);
  assert.is(pct(wilsonInterval(10, 10).low), 72.2);
  assert.equal(wilsonInterval(0, 1), { proportion: 0, low: 0, high: wilsonInterval(0, 1).high });
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 500 }), fc.nat(), (n, raw) => {
      const x = raw % (n + 1);
      const { proportion, low, high } = wilsonInterval(x, n);
      return 0 <= low && low <= proportion && proportion <= high && high <= 1;
    }),
  );
});

test('Wilson interval refuses counts that are not counts', () => {
  assert.throws(() => wilsonInterval(1, 0), RangeError);
  assert.throws(() => wilsonInterval(6, 5), RangeError);
  assert.throws(() => wilsonInterval(-1, 5), RangeError);
  assert.throws(() => wilsonInterval(1.5, 5), RangeError);
});

test("Newcombe's hybrid score interval matches Newcombe (1998) Table II, method 10", () => {
  const cases: [number, number, number, number, number, number][] = [
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [6, 7, 2, 7, 0.0582, 0.8062],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [10, 10, 0, 20, 0.6791, 1],
  ];
  for (const [x1, n1, x2, n2, low, high] of cases) {
    const interval = newcombeDifference(x1, n1, x2, n2);
    close(interval.difference, x1 / n1 - x2 / n2, 1e-12, `${x1}/${n1} - ${x2}/${n2}`);
    close(interval.low, low, 0.00005, `${x1}/${n1} - ${x2}/${n2} low`);
    close(interval.high, high, 0.00005, `${x1}/${n1} - ${x2}/${n2} high`);
  }
});

test('Newcombe interval turns round when the groups swap', () => {
  const ab = newcombeDifference(12, 20, 5, 15);
  const ba = newcombeDifference(5, 15, 12, 20);
  close(ab.low, -ba.high, 1e-12);
  close(ab.high, -ba.low, 1e-12);
});

test('t quantile matches the printed t table (two-sided 95% and 99%)', () => {
  const table: [number, number, number][] = [
    [1, 12.706, 63.657],
    [2, 4.303, 9.925],
    [4, 2.776, 4.604],
    [9, 2.262, 3.25],
    [19, 2.093, 2.861],
    [29, 2.045, 2.756],
    [100, 1.984, 2.626],
  ];
  for (const [df, t95, t99] of table) {
    close(tQuantile(0.975, df), t95, 0.0005, `df ${df} 97.5%`);
    close(tQuantile(0.995, df), t99, 0.0005, `df ${df} 99.5%`);
  }
});

test('t quantile is precise for fractional degrees of freedom (Welch)', () => {
  // Reference values from scipy.stats.t.ppf.
  close(tQuantile(0.975, 2.5), 3.5746548420036817, 1e-9, 'df 2.5');
  close(tQuantile(0.975, 7.3), 2.345066736547703, 1e-9, 'df 7.3');
  close(tQuantile(0.995, 0.5), 4113.964588804174, 1e-6, 'df 0.5');
  close(tQuantile(0.1, 3), -1.6377443536962089, 1e-9, 'lower tail');
  close(tQuantile(0.975, 1e6), 1.959963984540054, 1e-5, 'approaches the normal');
  assert.is(tQuantile(0.5, 7), 0);
});

test('t quantile inverts the t distribution function', () => {
  fc.assert(
    fc.property(
      fc.double({ min: 0.001, max: 0.999, noNaN: true }),
      fc.double({ min: 0.5, max: 500, noNaN: true }),
      (p, df) => Math.abs(tCdf(tQuantile(p, df), df) - p) < 1e-10,
    ),
  );
  assert.throws(() => tQuantile(1, 5), RangeError);
  assert.throws(() => tQuantile(0.975, 0), RangeError);
});

test('mean interval: mean, sample sd and Student t-interval from n, sum and sum of squares', () => {
  const result = meanInterval(moments([60, 70, 80, 90, 100]));
  assert.is(result.n, 5);
  close(result.mean, 80, 1e-12);
  close(result.sd, 15.811388300841896, 1e-9);
  // 80 -/+ t(0.975, 4) * 15.81 / sqrt(5)
  close(result.low, 60.36756838522443, 1e-8);
  close(result.high, 99.63243161477557, 1e-8);
});

test('mean interval collapses to the mean when everyone answered alike', () => {
  const result = meanInterval(moments([75, 75, 75, 75, 75, 75, 75]));
  assert.is(result.mean, 75);
  assert.is(result.sd, 0);
  assert.is(result.low, 75);
  assert.is(result.high, 75);
});

test('mean interval needs at least two values', () => {
  assert.throws(() => meanInterval({ n: 1, sum: 50, sumSq: 2500 }), RangeError);
  assert.throws(() => meanInterval({ n: 0, sum: 0, sumSq: 0 }), RangeError);
});

test("Welch's difference of two independent means matches a reference computation", () => {
  // Reference: scipy.stats.ttest_ind(a, b, equal_var=False).confidence_interval().
  const a = moments([60, 70, 80, 90, 100]);
  const b = moments([50, 55, 60, 65, 70, 75, 80, 40]);
  const result = welchDifference(a, b);
  close(result.difference, 18.125, 1e-12);
  close(result.low, -1.705383950145169, 1e-7);
  close(result.high, 37.95538395014517, 1e-7);
  close(result.df, 7.505247329344318, 1e-9);

  const c = welchDifference(
    moments([100, 75, 75, 50, 100, 75]),
    moments([25, 50, 50, 75, 25, 50, 0, 50, 25, 50]),
  );
  close(c.difference, 39.16666666666667, 1e-12);
  close(c.low, 16.936848141395295, 1e-7);
  close(c.high, 61.39648519193805, 1e-7);
});

test('Welch difference of two uniform samples is the plain difference', () => {
  const result = welchDifference(moments([80, 80, 80, 80, 80]), moments([50, 50, 50, 50, 50]));
  assert.equal([result.difference, result.low, result.high], [30, 30, 30]);
});

test('a change is a change only if the interval excludes zero and it is at least 10 points', () => {
  const cases: [number, number, number, string][] = [
    [10, 0.1, 19.9, 'better'],
    [25, 12, 38, 'better'],
    [9.9, 2, 17.8, 'no_clear_change'],
    [10, 0, 20, 'no_clear_change'],
    [12, -1, 25, 'no_clear_change'],
    [-10, -19.9, -0.1, 'worse'],
    [-9.9, -17.8, -2, 'no_clear_change'],
    [-10, -20, 0, 'no_clear_change'],
    [0, -5, 5, 'no_clear_change'],
  ];
  for (const [difference, low, high, verdict] of cases) {
    assert.is(changeVerdict({ difference, low, high }), verdict, `${difference} (${low}..${high})`);
  }
  assert.is(changeVerdict({ difference: 6, low: 1, high: 11 }, 5), 'better');
});

test('participation bands cut at 30% and 60%, as collection does during a wave', () => {
  const cases: [number, number, string][] = [
    [0, 10, '<30%'],
    [2, 10, '<30%'],
    [3, 10, '30-60%'],
    [6, 10, '30-60%'],
    [7, 10, '>60%'],
    [29, 100, '<30%'],
    [30, 100, '30-60%'],
    [60, 100, '30-60%'],
    [61, 100, '>60%'],
    [5, 5, '>60%'],
  ];
  for (const [r, e, band] of cases) assert.is(participationBand(r, e), band, `${r}/${e}`);
  // The cut points of apps/api collection (refreshBands), on every count up to 200 eligible.
  for (let e = 1; e <= 200; e++) {
    for (let r = 0; r <= e; r++) {
      const share = r / e;
      const expected = share < 0.3 ? '<30%' : share <= 0.6 ? '30-60%' : '>60%';
      assert.is(participationBand(r, e), expected, `${r}/${e}`);
    }
  }
});

test('"interpret with care" below 60% participation only', () => {
  assert.ok(interpretWithCare(5, 10));
  assert.ok(interpretWithCare(59, 100));
  assert.not.ok(interpretWithCare(6, 10));
  assert.not.ok(interpretWithCare(3, 5));
  assert.not.ok(interpretWithCare(10, 10));
});

test('size bands of eligible members', () => {
  const cases: [number, string][] = [
    [5, '5-9'],
    [9, '5-9'],
    [10, '10-19'],
    [19, '10-19'],
    [20, '20-49'],
    [49, '20-49'],
    [50, '50+'],
    [4000, '50+'],
  ];
  for (const [e, band] of cases) assert.is(sizeBand(e), band, String(e));
});

test('recommendation score is % 9-10 minus % 0-6 over valid answers', () => {
  // 40 answers: 14 promoters (9-10), 16 passives (7-8), 10 detractors (0-6).
  const counts = new Map([
    [10, 6],
    [9, 8],
    [8, 10],
    [7, 6],
    [6, 4],
    [3, 5],
    [0, 1],
  ]);
  const { score, n } = recommendationScore(counts);
  assert.is(n, 40);
  close(score, 10, 1e-12);
  assert.is(recommendationScore(new Map([[7, 30]])).score, 0);
  assert.is(recommendationScore(new Map([[10, 30]])).score, 100);
  assert.is(recommendationScore(new Map([[6, 30]])).score, -100);
  assert.throws(() => recommendationScore(new Map()), RangeError);
  assert.throws(() => recommendationScore(new Map([[11, 1]])), RangeError);
});

test('rounding is half away from zero on the decimal form, never -0 (INV-10)', () => {
  const cases: [number, number, number][] = [
    [0.25, 1, 0.3],
    [0.35, 1, 0.4],
    [-2.45, 1, -2.5],
    [-0.04, 1, 0],
    [12.345, 1, 12.3],
    [49.5, 0, 50],
    [-49.5, 0, -50],
    [1.005, 2, 1.01],
    [1e-7, 1, 0],
    [99.96, 1, 100],
  ];
  for (const [value, decimals, expected] of cases) {
    assert.is(roundTo(value, decimals), expected, `${value} to ${decimals}`);
  }
  assert.ok(Object.is(roundTo(-0.04, 1), 0), 'no negative zero');
  // Any value: the same as rounding its printed decimal form, and within half a unit.
  fc.assert(
    fc.property(
      fc.double({ min: -1000, max: 1000, noNaN: true }),
      fc.integer({ min: 0, max: 2 }),
      (value, decimals) => {
        const rounded = roundTo(value, decimals);
        const text = String(Math.abs(value));
        if (!text.includes('e')) {
          const byText = Number(`${Math.round(Number(`${text}e${decimals}`))}e-${decimals}`);
          assert.is(Math.abs(rounded), byText, String(value));
        }
        return Math.abs(rounded - value) <= 0.5 * 10 ** -decimals + 1e-9;
      },
    ),
  );
});

test.run();

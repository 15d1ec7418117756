import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classRule, effectiveThresholds, THRESHOLD_FLOORS } from '../src/index.ts';

test('the floors are those of the anonymity specification', () => {
  assert.equal({ ...THRESHOLD_FLOORS }, { k: 5, kE: 5, kDist: 10, kSens: 20, kComment: 10, d: 5 });
});

test('an organisation may raise a threshold', () => {
  assert.is(effectiveThresholds({ k: 7 }).k, 7);
  assert.is(effectiveThresholds({ kComment: 15 }).kComment, 15);
});

test('an organisation can never lower a threshold below its floor', () => {
  const lowered = effectiveThresholds({ k: 3, kE: 4, kDist: 9, kSens: 19, kComment: 9, d: 4 });
  assert.equal(lowered, { ...THRESHOLD_FLOORS });
});

test('nonsense values fall back to the floor', () => {
  const odd = effectiveThresholds({ k: Number.NaN, kE: 6.5, d: Infinity });
  assert.is(odd.k, 5);
  assert.is(odd.kE, 5);
  assert.is(odd.d, 5);
});

test('the floors themselves cannot be changed at run time', () => {
  assert.throws(() => {
    (THRESHOLD_FLOORS as { k: number }).k = 1;
  });
});
test('D follows K: raising K raises the smallest group obtainable by subtraction with it', () => {
  const raised = effectiveThresholds({ k: 10, d: 5 });
  assert.is(raised.d, 10);
  assert.equal(classRule('score', { ...THRESHOLD_FLOORS, k: 10, d: 5 }), {
    primary: 10,
    d: 10,
    unitOnly: false,
  });
  assert.is(classRule('unit_score', { ...THRESHOLD_FLOORS, k: 12 }).d, 12);
  // D raised above K stays where it was raised to; at the floors nothing moves.
  assert.is(effectiveThresholds({ k: 7, d: 12 }).d, 12);
  assert.is(effectiveThresholds({}).d, 5);
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ThresholdKey } from '@teamspiegel/contracts';
import { thresholdProblems } from '../src/routes/admin/settings/problems.ts';

/** The settings page explains a refused threshold itself, with the numbers the server used. */
const floors = { k: 5, kE: 5, kDist: 10, kSens: 20, kComment: 10, d: 5 };
const stored = { ...floors, k: 7, d: 5 };
const inForce = (key: ThresholdKey) => (key === 'd' ? Math.max(stored.d, stored.k) : stored[key]);
const entered = (changes: Partial<Record<ThresholdKey, string | number | null>>) => ({
  ...stored,
  ...changes,
});

test('a lowered threshold is named with its value in force and the value typed', () => {
  const problems = thresholdProblems({ entered: entered({ k: 6 }), stored, inForce, floors });
  assert.equal(problems, [
    {
      key: 'k',
      message: 'settings.problem.lowered',
      params: { floor: 5, current: 7, value: '6', maximum: 1000 },
    },
  ]);
});

test('below the floor, not whole, empty or above the maximum each have their own reason', () => {
  const problems = thresholdProblems({
    entered: entered({ kE: 4, kDist: '10.5', kSens: null, kComment: 1001 }),
    stored,
    inForce,
    floors,
  });
  assert.equal(
    problems.map((p) => [p.key, p.message]),
    [
      ['kE', 'settings.problem.belowFloor'],
      ['kDist', 'settings.problem.wholeNumber'],
      ['kSens', 'settings.problem.wholeNumber'],
      ['kComment', 'settings.problem.wholeNumber'],
    ],
  );
});

test('raising, or keeping the values, is no problem; d may sit between its stored value and K', () => {
  assert.equal(thresholdProblems({ entered: entered({}), stored, inForce, floors }), []);
  assert.equal(
    thresholdProblems({ entered: entered({ k: '9', d: 6 }), stored, inForce, floors }),
    [],
  );
});

test.run();

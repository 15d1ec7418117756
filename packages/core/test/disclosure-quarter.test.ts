import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  decidePublication,
  decideQuarterPublication,
  effectiveThresholds,
  type DisclosureNode,
  type Thresholds,
} from '../src/index.ts';
import { ids, tree, type Row } from './disclosure-support.ts';

const floors = effectiveThresholds();

/** Rows per wave; the waves are decided by the engine, then pooled. */
function quarter(perWave: Row[][], thresholds: Thresholds = floors) {
  const decided = perWave.map((rows, i) => {
    const nodes = tree(rows);
    return { waveId: `w${i + 1}`, nodes, publication: decidePublication({ nodes, thresholds }) };
  });
  return { decided, quarter: decideQuarterPublication({ waves: decided, thresholds }) };
}

const unitWith = (t: number, s: number): Row[] => [
  ['U', null],
  ['T', 'U', t],
  ['S', 'U', s],
];

test('a team shown in every wave is shown pooled, with its unit', () => {
  const { quarter: q } = quarter([unitWith(8, 12), unitWith(9, 12), unitWith(7, 12)]);
  assert.equal(ids(q, 'score'), ['S', 'T', 'U']);
  // Distributions need 10: U - S = 8 in every wave hides S, and T has 8 a wave.
  assert.equal(ids(q, 'distribution'), ['U']);
});

test('A7 across waves: a team hidden in one wave is not pooled, as the pool minus its two shown waves is that wave', () => {
  const { decided, quarter: q } = quarter([unitWith(10, 12), unitWith(10, 12), unitWith(3, 12)]);
  assert.equal(ids(decided[2]!.publication, 'score'), ['U']);
  assert.not.ok(q.get('T')?.has('score'));
  assert.ok(q.get('U')?.has('score'));
});

test('a small team is not pooled into view: 3 respondents a wave stay hidden at 9 pooled', () => {
  const { quarter: q } = quarter([unitWith(3, 12), unitWith(3, 12), unitWith(3, 12)]);
  assert.not.ok(q.has('T'));
  assert.ok(q.get('U')?.has('score'));
});

test('INV-7: the quarter never changes a frozen wave, it only adds pooled groups', () => {
  const perWave = [unitWith(10, 12), unitWith(10, 12), unitWith(3, 12)];
  const { decided } = quarter(perWave);
  decided.forEach((w, i) => {
    assert.equal(
      ids(w.publication, 'score'),
      ids(decidePublication({ nodes: tree(perWave[i]!), thresholds: floors }), 'score'),
    );
  });
});

test('pooled E is the smallest E of any wave: a cell under K_E once is not pooled', () => {
  const rows = (e: number): Row[] => [
    ['U', null],
    ['C', 'U', 7, e],
    ['S', 'U', 12, 20],
  ];
  const { quarter: q } = quarter([rows(10), rows(10), rows(7)], effectiveThresholds({ kE: 8 }));
  assert.not.ok(q.get('C')?.has('score'));
});

test('a team that exists in fewer waves is pooled over the waves it has', () => {
  const { quarter: q } = quarter([
    [
      ['U', null],
      ['S', 'U', 12],
    ],
    unitWith(8, 12),
    unitWith(9, 12),
  ]);
  assert.ok(q.get('T')?.has('score'));
});

test('pooling two waves works the same way as three', () => {
  const { quarter: q } = quarter([unitWith(8, 12), unitWith(9, 12)]);
  assert.equal(ids(q, 'score'), ['S', 'T', 'U']);
});

test('a team that moved to another unit between waves makes the quarter publish nothing', () => {
  const before: Row[] = [
    ['R', null],
    ['A', 'R'],
    ['B', 'R'],
    ['T', 'A', 9],
    ['S', 'B', 12],
  ];
  const after: Row[] = [
    ['R', null],
    ['A', 'R'],
    ['B', 'R'],
    ['T', 'B', 9],
    ['S', 'B', 12],
  ];
  const { quarter: q } = quarter([before, before, after]);
  assert.equal(q.size, 0);
});

test('the order of the waves does not matter', () => {
  const perWave = [unitWith(10, 12), unitWith(3, 12), unitWith(10, 12)];
  const a = quarter(perWave);
  const b = decideQuarterPublication({ waves: [...a.decided].reverse(), thresholds: floors });
  assert.equal(
    [...b].map(([id, c]) => [id, [...c]]),
    [...a.quarter].map(([id, c]) => [id, [...c]]),
  );
});

test('refuses the same wave twice and a frozen publication naming a node the wave lacks', () => {
  const nodes: DisclosureNode[] = tree(unitWith(8, 12));
  const publication = decidePublication({ nodes, thresholds: floors });
  const wave = { waveId: 'w1', nodes, publication };
  assert.throws(
    () => decideQuarterPublication({ waves: [wave, wave], thresholds: floors }),
    /twice/,
  );
  const ghost = { ...wave, publication: new Map([['ghost', new Set(['score'] as const)]]) };
  assert.throws(
    () => decideQuarterPublication({ waves: [ghost], thresholds: floors }),
    /unknown node/,
  );
});

test('no waves, no quarter', () => {
  assert.equal(decideQuarterPublication({ waves: [], thresholds: floors }).size, 0);
});

test.run();

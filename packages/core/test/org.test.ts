import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  childPath,
  isCurrentOn,
  mayContain,
  periodsOverlap,
  wouldCreateCycle,
} from '../src/index.ts';

const org = suite('org');

org('teams sit under basisteams and services, never under teams', () => {
  assert.ok(mayContain('basisteam', 'team'));
  assert.ok(mayContain('service', 'team'));
  assert.not.ok(mayContain('team', 'team'));
  assert.not.ok(mayContain('team', 'district'));
});

org('a corps or zone is never placed below another unit', () => {
  for (const parent of [
    'corps',
    'zone',
    'regional_unit',
    'district',
    'basisteam',
    'service',
    'team',
  ] as const) {
    assert.not.ok(mayContain(parent, 'corps'));
    assert.not.ok(mayContain(parent, 'zone'));
  }
});

org('moving a unit below itself or its descendant is a cycle', () => {
  assert.ok(wouldCreateCycle('/a/b/', '/a/b/'));
  assert.ok(wouldCreateCycle('/a/b/', '/a/b/c/'));
  assert.not.ok(wouldCreateCycle('/a/b/', '/a/'));
  assert.not.ok(wouldCreateCycle('/a/b/', '/a/bb/'));
});

org('a child path extends its parent path', () => {
  assert.is(childPath('/a/b/', 'c'), '/a/b/c/');
  assert.is(childPath(null, 'root'), '/root/');
});

org('half-open periods that only touch do not overlap', () => {
  const first = { joinedOn: '2025-01-01', leftOn: '2025-06-01' };
  assert.not.ok(periodsOverlap(first, { joinedOn: '2025-06-01', leftOn: null }));
  assert.ok(periodsOverlap(first, { joinedOn: '2025-05-31', leftOn: null }));
  assert.ok(
    periodsOverlap(
      { joinedOn: '2020-01-01', leftOn: null },
      { joinedOn: '2030-01-01', leftOn: null },
    ),
  );
});

org('a membership is current from its first day until the day before it ends', () => {
  const m = { joinedOn: '2025-01-10', leftOn: '2025-02-01' };
  assert.not.ok(isCurrentOn(m, '2025-01-09'));
  assert.ok(isCurrentOn(m, '2025-01-10'));
  assert.ok(isCurrentOn(m, '2025-01-31'));
  assert.not.ok(isCurrentOn(m, '2025-02-01'));
  assert.ok(isCurrentOn({ joinedOn: '2025-01-10', leftOn: null }, '2099-01-01'));
});

org.run();

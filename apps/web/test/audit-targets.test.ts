import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { en } from '../src/lib/i18n/en.ts';
import { nl } from '../src/lib/i18n/nl.ts';

/**
 * The audit log's Object column names every kind of target the API records in the reader's
 * language, never a raw `roster_change` or `import_run`.
 */
const API_SRC = new URL('../../api/src/', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

const recorded = [
  ...new Set(
    sources(API_SRC).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/targetType: '([a-z_]+)'/g)].map((m) => m[1]!),
    ),
  ),
].sort();

const filters = readFileSync(
  new URL('../src/routes/admin/audit/filters.ts', import.meta.url),
  'utf8',
);
const listed = [
  ...(/TARGET_TYPES = \[([^\]]*)\]/.exec(filters)?.[1] ?? '').matchAll(/'([a-z_]+)'/g),
].map((m) => m[1]!);

test('every target type the API records is named in Dutch and English and offered as a filter', () => {
  assert.ok(recorded.includes('roster_change') && recorded.includes('organisation'), 'scan found');
  for (const type of recorded) {
    const key = `audit.targetType.${type}`;
    assert.ok(key in nl, `no Dutch name for ${type}`);
    assert.ok(key in en, `no English name for ${type}`);
    assert.ok(listed.includes(type), `${type} is not in the page's TARGET_TYPES`);
  }
});

test.run();

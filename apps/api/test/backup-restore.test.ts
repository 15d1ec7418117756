/**
 * Backup and restore (docs/operations.md): an online backup while officers keep submitting,
 * restored into a fresh directory, loses no answer given before it; the wave keys in an archive
 * are sealed to the operator's recovery key, so the archive alone opens no answer (threat T4,
 * A23); and a restore refuses archives that were changed, whose sealed keys were moved, a wrong
 * recovery key, members that try to write outside their place, and directories that already
 * hold data.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Migrator, sql } from 'kysely';
import { create as createTar, extract as extractTar, Header } from 'tar';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { MyWave } from '@teamspiegel/contracts';
import { createDb, type Db } from '@teamspiegel/db';
import { migrations } from '../../../db/migrations/index.ts';
import {
  BackupError,
  createBackup,
  restoreBackup,
  type BackupManifest,
} from '../src/cli/backup.ts';
import { generateRecoveryKey } from '../src/cli/recovery-key.ts';
import {
  answersFor,
  browserForPerson,
  buildAppInDir,
  freshDataDir,
  myWave,
  openWave,
  submit,
  takeToken,
  type RestartableApp,
  type Token,
} from './pulse-support.ts';
import { browserAs } from './support.ts';

const backup = suite('backup and restore');

let live: RestartableApp | undefined;
let restored: RestartableApp | undefined;
const dirs: string[] = [];
const fresh = () => {
  const dir = freshDataDir();
  dirs.push(dir);
  return dir;
};

let waveId = '';
let closedWaveId = '';
let archive = '';
/** A second archive of the same open wave, and one made without keys. */
let otherArchive = '';
let dbOnlyArchive = '';
/** The recovery key pair the archives are sealed to. */
let recovery: Awaited<ReturnType<typeof generateRecoveryKey>>;
/** The key files of the open wave and the closed one's leftovers, as they were on disk. */
const keyFiles = new Map<string, Buffer>();
/** Per cell: how many answered before the backup, and how many while it ran. */
const before = new Map<string, number>();
const during = new Map<string, number>();
let items: MyWave['items'] = [];

backup.after(async () => {
  await live?.stop();
  await restored?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The BackupError `run` fails with (the test fails if it succeeds or fails otherwise). */
async function refusal(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (err) {
    if (err instanceof BackupError) return err.message;
    throw err;
  }
  throw new Error('expected a refusal');
}

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Officers of the wave, each with a token; `count` of them, spread over the cells. */
async function officersWithTokens(app: RestartableApp, count: number, skip: number) {
  const people = await app.db
    .selectFrom('wave_eligibility')
    .select(['person_id', 'cell_id'])
    .where('wave_id', '=', waveId)
    .orderBy('cell_id')
    .orderBy('person_id')
    .execute();
  // Round-robin over cells, so that several cells get answers.
  const byCell = new Map<string, string[]>();
  for (const p of people) byCell.set(p.cell_id, [...(byCell.get(p.cell_id) ?? []), p.person_id]);
  const order: string[] = [];
  for (let i = 0; order.length < people.length; i++) {
    for (const members of byCell.values()) {
      const member = members[i];
      if (member) order.push(member);
    }
  }
  const tokens: { token: Token; wave: MyWave }[] = [];
  for (const personId of order.slice(skip, skip + count)) {
    const browser = await browserForPerson(app.app, app.db, personId);
    const wave = await myWave(browser, waveId);
    const { token, response } = await takeToken(browser, wave);
    assert.ok(token, response.body);
    tokens.push({ token, wave });
  }
  return tokens;
}

const bump = (map: Map<string, number>, cellId: string) =>
  map.set(cellId, (map.get(cellId) ?? 0) + 1);

backup('a backup taken while officers submit restores every answer given before it', async () => {
  const dir = fresh();
  live = await buildAppInDir(dir, { seed: true });

  // A closed wave whose keys were left behind (a crash between the close and the key
  // destruction): the backup must not bring them back.
  closedWaveId = await openWave(live, { rootCode: 'BE-SCH', commentQuestion: false });
  const leftover = join(dir, 'leftover-keys');
  cpSync(join(live.config.keyDir, closedWaveId), leftover, { recursive: true });
  const admin = await browserAs(live.app, 'demo-admin');
  assert.is((await admin.post(`/api/v1/waves/${closedWaveId}/close`)).statusCode, 202);
  cpSync(leftover, join(live.config.keyDir, closedWaveId), { recursive: true });
  rmSync(leftover, { recursive: true });

  waveId = await openWave(live, { commentQuestion: false });
  const early = await officersWithTokens(live, 8, 0);
  const late = await officersWithTokens(live, 6, 8);
  items = early[0]!.wave.items;
  for (const { token, wave } of early) {
    // Everyone before the backup answers the first option; those during it, the last.
    const response = await submit(
      live.app,
      token,
      answersFor(wave, () => 0),
    );
    assert.is(response.statusCode, 202, response.body);
    bump(before, token.cellId);
  }

  recovery = await generateRecoveryKey(fresh());
  assert.is(modeOf(recovery.privateFile), 0o600, "the private recovery key is its owner's only");
  for (const wave of [waveId, closedWaveId]) {
    for (const file of readdirSync(join(live.config.keyDir, wave))) {
      keyFiles.set(`${wave}/${file}`, readFileSync(join(live.config.keyDir, wave, file)));
    }
  }
  assert.ok(keyFiles.has(`${waveId}/data.key`), 'the open wave has a data key');

  archive = join(fresh(), 'teamspiegel.backup.tgz');
  const lines: string[] = [];
  const submitting = (async () => {
    for (const { token, wave } of late) {
      const response = await submit(
        live.app,
        token,
        answersFor(wave, () => 99),
      );
      assert.is(response.statusCode, 202, response.body);
      bump(during, token.cellId);
    }
  })();
  const [result] = await Promise.all([
    createBackup({
      dataDir: dir,
      keyDir: live.config.keyDir,
      file: archive,
      codeVersion: 'test',
      recipientFile: recovery.publicFile,
      log: (line) => lines.push(line),
    }),
    submitting,
  ]);

  assert.is(modeOf(archive), 0o600, 'the archive is readable by its owner only');
  assert.equal(
    result.manifest.waves.map((w) => [w.id, w.state]),
    [[waveId, 'open']],
    'only the open wave has keys in the backup, not the closed one',
  );
  assert.ok(result.manifest.waves[0]!.keys.includes(`keys/${waveId}/data.key.sealed`));
  assert.is(result.manifest.recipient?.fingerprint, recovery.fingerprint);
  assert.ok(result.manifest.migration, 'the manifest names the migration');
  assert.ok(lines.length > 0 && lines.every((l) => !l.includes('sealed')), 'progress, no data');

  // Without a recovery key, a backup with an open wave is refused and leaves nothing behind.
  const refused = join(fresh(), 'refused.tgz');
  assert.match(
    await refusal(() =>
      createBackup({
        dataDir: dir,
        keyDir: live!.config.keyDir,
        file: refused,
        codeVersion: 'test',
      }),
    ),
    new RegExp(`wave ${waveId} \\(open\\) has keys.*TEAMSPIEGEL_BACKUP_RECIPIENT.*--without-keys`),
  );
  assert.not.ok(existsSync(refused), 'no archive written');
  otherArchive = join(fresh(), 'other.tgz');
  await createBackup({
    dataDir: dir,
    keyDir: live.config.keyDir,
    file: otherArchive,
    codeVersion: 'test',
    recipientFile: recovery.publicFile,
  });
  // Asked for explicitly, an archive of the database alone, even with a recovery key at hand.
  dbOnlyArchive = join(fresh(), 'database-only.tgz');
  const dbOnly = await createBackup({
    dataDir: dir,
    keyDir: live.config.keyDir,
    file: dbOnlyArchive,
    codeVersion: 'test',
    recipientFile: recovery.publicFile,
    withoutKeys: true,
  });
  assert.equal(
    dbOnly.manifest.members.map((m) => m.path),
    ['teamspiegel.sqlite'],
  );
  assert.equal(
    dbOnly.manifest.waves.map((w) => [w.id, w.keys]),
    [[waveId, []]],
  );
  assert.ok(dbOnly.manifest.keysOmitted);
  await live.stop();

  // Restored into a fresh directory, the wave carries on and closes there.
  const target = join(fresh(), 'restored');
  const outcome = await restoreBackup({
    dataDir: target,
    keyDir: join(target, 'keys'),
    file: archive,
    recoveryKeyFile: recovery.privateFile,
  });
  assert.equal(outcome.migrated, [], 'nothing to migrate: the same code made the backup');
  assert.is(outcome.warning, null);
  for (const file of readdirSync(join(target, 'keys', waveId))) {
    assert.equal(
      readFileSync(join(target, 'keys', waveId, file)),
      keyFiles.get(`${waveId}/${file}`),
      `${file} restored as it was`,
    );
  }
  assert.is(
    readdirSync(join(target, 'keys', waveId)).length,
    result.manifest.waves[0]!.keys.length,
  );
  assert.is(modeOf(join(target, 'teamspiegel.sqlite')), 0o600);
  assert.is(modeOf(join(target, 'keys')), 0o700);
  assert.is(modeOf(join(target, 'keys', waveId)), 0o700);
  for (const file of readdirSync(join(target, 'keys', waveId))) {
    assert.is(modeOf(join(target, 'keys', waveId, file)), 0o600, file);
  }
  assert.not.ok(existsSync(join(target, 'keys', closedWaveId)), 'no key of a closed wave');
  assert.equal(
    readdirSync(target).filter((f) => f.startsWith('.teamspiegel-restore')),
    [],
    'no staging left behind',
  );

  restored = await buildAppInDir(target);
  const restoredAdmin = await browserAs(restored.app, 'demo-admin');
  const closed = await restoredAdmin.post(`/api/v1/waves/${waveId}/close`);
  assert.is(closed.statusCode, 202, closed.body);

  const cells = await restored.db
    .selectFrom('wave_cell_tally')
    .select(['cell_id', 'respondents'])
    .where('wave_id', '=', waveId)
    .execute();
  const respondents = new Map(cells.map((c) => [c.cell_id, c.respondents]));
  for (const [cellId, n] of before) {
    const counted = respondents.get(cellId) ?? 0;
    // Every answer from before the backup; those during it may or may not be in it.
    assert.ok(
      counted >= n && counted <= n + (during.get(cellId) ?? 0),
      `cell ${cellId}: ${counted} respondents, ${n} before the backup`,
    );
  }
  const firstOption = await restored.db
    .selectFrom('wave_item_tally')
    .select(['cell_id', 'item_id', 'option', 'count'])
    .where('wave_id', '=', waveId)
    .execute();
  for (const item of items) {
    for (const [cellId, n] of before) {
      const row = firstOption.find(
        (r) =>
          r.cell_id === cellId &&
          r.item_id === item.id &&
          r.option === String(item.options[0]!.value),
      );
      assert.is(row?.count, n, `${item.id} in cell ${cellId}: every early answer is counted`);
    }
  }
  assert.not.ok(existsSync(join(target, 'keys', waveId)), 'keys destroyed at close');
});

backup('a backup never overwrites a file', async () => {
  const dir = fresh();
  const file = join(dir, 'existing.tgz');
  writeFileSync(file, 'precious');
  assert.match(
    await refusal(() =>
      createBackup({
        dataDir: restored!.dir,
        keyDir: restored!.config.keyDir,
        file,
        codeVersion: 'test',
      }),
    ),
    /never overwrites/,
  );
  assert.is(readFileSync(file, 'utf8'), 'precious');
});

backup('an archive holds no wave key in plain form', async () => {
  const tar = gunzipSync(readFileSync(archive));
  assert.ok(tar.includes(Buffer.from('SQLite format 3\0')), 'the search sees inside the archive');
  assert.ok(keyFiles.size > 2);
  for (const [name, bytes] of keyFiles) {
    for (const form of [
      bytes,
      Buffer.from(bytes.toString('base64')),
      Buffer.from(bytes.toString('base64url')),
      Buffer.from(bytes.toString('hex')),
    ]) {
      assert.not.ok(tar.includes(form), `${name} is not in the archive`);
    }
  }
});

/** Restoring `file` into a fresh directory fails with a message matching `pattern`, and places nothing. */
async function expectRestoreRefused(
  file: string,
  pattern: RegExp,
  recoveryKeyFile: string | null = recovery.privateFile,
) {
  const target = join(fresh(), 'restored');
  assert.match(
    await refusal(() =>
      restoreBackup({ dataDir: target, keyDir: join(target, 'keys'), file, recoveryKeyFile }),
    ),
    pattern,
  );
  assert.not.ok(existsSync(join(target, 'teamspiegel.sqlite')), 'no database placed');
  assert.not.ok(existsSync(join(target, 'keys')), 'no keys placed');
  return target;
}

/**
 * The archive (by default the first one) unpacked, changed by `change`, and packed again with
 * the same manifest and any `extra` members; with `resign`, the manifest gets the changed
 * members' checksums, as a backup made from them would have.
 */
async function repacked(
  change: (dir: string) => void | Promise<void>,
  options: { extra?: string[]; resign?: boolean; from?: string } = {},
): Promise<string> {
  const dir = fresh();
  const unpacked = join(dir, 'unpacked');
  mkdirSync(unpacked);
  await extractTar({ file: options.from ?? archive, cwd: unpacked });
  const manifestFile = join(unpacked, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BackupManifest;
  await change(unpacked);
  if (options.resign) {
    for (const member of manifest.members) {
      const bytes = readFileSync(join(unpacked, member.path));
      member.bytes = bytes.length;
      member.sha256 = createHash('sha256').update(bytes).digest('hex');
    }
    writeFileSync(manifestFile, JSON.stringify(manifest));
  }
  const file = join(dir, 'changed.tgz');
  await createTar({ file, cwd: unpacked, gzip: true, portable: true }, [
    'manifest.json',
    ...manifest.members.map((m) => m.path),
    ...(options.extra ?? []),
  ]);
  return file;
}

/** The archive unpacked into a fresh directory (by tar, as a person inspecting it would). */
async function unpacked(file: string): Promise<string> {
  const dir = fresh();
  await extractTar({ file, cwd: dir });
  return dir;
}

/**
 * Changes the database inside the database-only archive (sealed keys are bound to the database
 * they were made with), through SQLite, and signs the result anew.
 */
const withDatabase = (change: (db: Db) => Promise<void>) =>
  repacked(
    async (dir) => {
      const db = createDb(join(dir, 'teamspiegel.sqlite'));
      try {
        await change(db);
      } finally {
        await db.destroy();
      }
    },
    { resign: true, from: dbOnlyArchive },
  );

backup('a restore needs the recovery key the archive was sealed to', async () => {
  await expectRestoreRefused(
    archive,
    new RegExp(`sealed to recovery key ${recovery.fingerprint}: pass --recovery-key`),
    null,
  );
  const other = await generateRecoveryKey(fresh());
  await expectRestoreRefused(
    archive,
    new RegExp(`recovery key ${other.fingerprint} is not the one this archive was sealed to`),
    other.privateFile,
  );
  // The public half opens nothing either.
  await expectRestoreRefused(archive, /is a recovery public key/, recovery.publicFile);
});

backup(
  'a restore refuses a sealed key moved to another place or from another archive',
  async () => {
    const sealed = (dir: string, file: string) => join(dir, 'keys', waveId, file);
    const manifest = JSON.parse(
      readFileSync(join(await unpacked(archive), 'manifest.json'), 'utf8'),
    ) as BackupManifest;
    const cellKeys = manifest.waves[0]!.keys.filter((k) => !k.endsWith('/data.key.sealed'));
    assert.ok(cellKeys.length >= 2, 'several cell keys to swap');
    const [a, b] = cellKeys.map((k) => k.split('/').at(-1)!);
    // Two cells' keys swapped, each with the checksum of what it now holds.
    const swapped = await repacked(
      (dir) => {
        const first = readFileSync(sealed(dir, a!));
        writeFileSync(sealed(dir, a!), readFileSync(sealed(dir, b!)));
        writeFileSync(sealed(dir, b!), first);
      },
      { resign: true },
    );
    await expectRestoreRefused(swapped, /does not open with the recovery key/);

    // The data key from another archive of the same wave, sealed to the same recovery key.
    const otherDir = await unpacked(otherArchive);
    const foreign = await repacked(
      (dir) =>
        writeFileSync(
          sealed(dir, 'data.key.sealed'),
          readFileSync(sealed(otherDir, 'data.key.sealed')),
        ),
      { resign: true },
    );
    await expectRestoreRefused(foreign, /data\.key\.sealed does not open with the recovery key/);
  },
);

backup(
  'a database-only archive restores without a recovery key and says which waves lost their keys',
  async () => {
    const target = join(fresh(), 'restored');
    const outcome = await restoreBackup({
      dataDir: target,
      keyDir: join(target, 'keys'),
      file: dbOnlyArchive,
    });
    assert.match(
      outcome.warning ?? '',
      new RegExp(`${waveId} \\(open\\): .*cannot be closed with their answers`),
    );
    assert.ok(existsSync(join(target, 'teamspiegel.sqlite')));
    assert.equal(readdirSync(join(target, 'keys')), [], 'no keys');
  },
);

backup('a restore refuses an archive whose members were changed', async () => {
  const changedKey = await repacked((dir) => {
    const path = join(dir, 'keys', waveId);
    const dataKey = join(path, 'data.key.sealed');
    const bytes = readFileSync(dataKey);
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(dataKey, bytes);
  });
  await expectRestoreRefused(changedKey, /does not match its checksum/);

  const changedDatabase = await repacked((dir) => {
    const path = join(dir, 'teamspiegel.sqlite');
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
    writeFileSync(path, bytes);
  });
  await expectRestoreRefused(changedDatabase, /does not match its checksum/);

  // A key smuggled in, or one left out, does not match the manifest either.
  const extraKey = await repacked(
    (dir) => writeFileSync(join(dir, 'keys', waveId, 'extra.key.sealed'), 'x'),
    { extra: [`keys/${waveId}/extra.key.sealed`] },
  );
  await expectRestoreRefused(
    extraKey,
    /extra\.key\.sealed is in the archive but not in its manifest/,
  );
});

backup('a restore from older code runs the migrations it lacks', async () => {
  const latest = Object.keys(migrations).at(-1)!;
  const older = await withDatabase(async (db) => {
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const { error } = await migrator.migrateDown();
    if (error) throw new Error('migrating down failed', { cause: error });
  });
  const target = join(fresh(), 'restored');
  const outcome = await restoreBackup({
    dataDir: target,
    keyDir: join(target, 'keys'),
    file: older,
  });
  assert.equal(outcome.migrated, [latest]);
  const db = createDb(join(target, 'teamspiegel.sqlite'));
  try {
    const names = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    assert.ok(
      names.rows.some((r) => r.name === latest),
      'the database is migrated',
    );
  } finally {
    await db.destroy();
  }
});

backup('a restore refuses a backup made by newer code', async () => {
  const newer = await withDatabase(async (db) => {
    await sql`insert into kysely_migration (name, timestamp) values (${'2999-01-01-01-future'}, ${'2999-01-01T00:00:00.000Z'})`.execute(
      db,
    );
  });
  await expectRestoreRefused(newer, /made by newer code \(migration 2999-01-01-01-future\)/);
});

/** A tar archive written by hand, so that it can hold what `tar` itself would never write. */
function handMadeTar(
  entries: {
    path: string;
    type?: 'File' | 'SymbolicLink' | 'Link';
    body?: string;
    linkpath?: string;
  }[],
): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '');
    const header = new Header({
      path: entry.path,
      type: entry.type ?? 'File',
      mode: 0o644,
      size: entry.type && entry.type !== 'File' ? 0 : body.length,
      mtime: new Date(0),
      ...(entry.linkpath ? { linkpath: entry.linkpath } : {}),
    });
    header.encode();
    blocks.push(header.block!);
    if (!entry.type || entry.type === 'File') {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

backup('a restore refuses members that would land outside their place, and links', async () => {
  const dir = fresh();
  const cases: [string, Parameters<typeof handMadeTar>[0]][] = [
    ['parent', [{ path: '../escaped', body: 'outside' }]],
    ['parent in keys', [{ path: `keys/${waveId}/../../../escaped.key`, body: 'outside' }]],
    ['absolute', [{ path: join(dir, 'absolute-escape'), body: 'outside' }]],
    [
      'symlink',
      [{ path: `keys/${waveId}/data.key.sealed`, type: 'SymbolicLink', linkpath: '/etc/passwd' }],
    ],
    ['hard link', [{ path: 'teamspiegel.sqlite', type: 'Link', linkpath: '/etc/passwd' }]],
    ['unknown file', [{ path: 'session-secret', body: 'x' }]],
  ];
  for (const [name, entries] of cases) {
    const file = join(dir, `${name}.tgz`);
    writeFileSync(file, handMadeTar(entries));
    const target = await expectRestoreRefused(file, /unexpected member|not a file/);
    assert.not.ok(existsSync(join(target, '..', 'escaped')), `${name}: nothing outside`);
    assert.not.ok(existsSync(join(dir, 'absolute-escape')), `${name}: nothing at an absolute path`);
  }
  // A member twice: a later copy could otherwise replace a checked one.
  const twice = join(dir, 'twice.tgz');
  writeFileSync(
    twice,
    handMadeTar([
      { path: `keys/${waveId}/data.key.sealed`, body: 'a' },
      { path: `keys/${waveId}/data.key.sealed`, body: 'b' },
    ]),
  );
  await expectRestoreRefused(twice, /more than once/);
});

backup(
  'a restore refuses a data directory with a database, or a key directory with keys',
  async () => {
    // The restored installation from the first test: it has both.
    assert.match(
      await refusal(() =>
        restoreBackup({ dataDir: restored!.dir, keyDir: join(fresh(), 'keys'), file: archive }),
      ),
      /already holds a database/,
    );
    const dataDir = fresh();
    const keyDir = join(fresh(), 'keys');
    mkdirSync(join(keyDir, 'some-wave'), { recursive: true });
    assert.match(
      await refusal(() => restoreBackup({ dataDir, keyDir, file: archive })),
      /is not empty/,
    );
    assert.not.ok(existsSync(join(dataDir, 'teamspiegel.sqlite')));
  },
);

backup.run();

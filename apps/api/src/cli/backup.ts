// Backup and restore of a Teamspiegel installation (docs/operations.md, "Backups").
//
// One archive (tar, gzip) holds everything a restore needs to carry on mid-wave:
//
//   manifest.json                       format version, archive id, when, which code and
//                                       migration, the recovery key the keys are sealed to, the
//                                       waves whose keys are included, and the SHA-256 of every
//                                       other member
//   teamspiegel.sqlite                  a consistent online copy (SQLite's backup API)
//   keys/<waveId>/<cellId>.key.sealed   signing keys of waves not closed in that copy
//   keys/<waveId>/data.key.sealed       their data keys
//
// Every key member is sealed with HPKE to the operator's recovery public key (recovery-key.ts),
// bound to the archive id, its own path and the database copy's hash: the server can make an
// archive but not open one, so a copy of an archive (threat T4) opens no answers, and no sealed
// member can be moved to another place or archive. Without a recovery key an archive is made
// only on request (withoutKeys), and then holds the database alone.
//
// Keys of closed waves are never included: they were destroyed at close (anonymity.md 4.5),
// and a backup must not bring them back.

import { createHash, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, constants as fsConstants } from 'node:fs';
import {
  chmod,
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { sql } from 'kysely';
import { create as createTar, list as listTar, type ReadEntry } from 'tar';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { backupDatabase, createDb, migrateToLatest, type Db } from '@teamspiegel/db';
import { SAFE_ID } from '../collection/crypto/encoding.ts';
import { keyIdOf } from '../collection/crypto/keys.ts';
import { answersAad, open as openSealed } from '../collection/crypto/seal.ts';
import {
  openWithRecoveryKey,
  readRecoveryPrivateKey,
  readRecoveryPublicKey,
  RecoveryKeyError,
  RECOVERY_SUITE,
  sealToRecoveryKey,
  type RecoveryPrivateKey,
} from './recovery-key.ts';

/** The database file's name in the data directory (as server.ts opens it). */
export const DATABASE_FILE = 'teamspiegel.sqlite';
const MANIFEST = 'manifest.json';
const FORMAT = 'teamspiegel-backup';
/** 1: keys in plain form (never released); 2: keys sealed to a recovery key. */
const FORMAT_VERSION = 2;
const DATA_KEY_FILE = 'data.key';
const SEALED = '.sealed';
const DATA_KEY_BYTES = 32;
/** Waves whose keys still exist: they were prepared and are not closed yet. */
const KEYED_STATES = ['preparing', 'open', 'closing'] as const;
/** Upper bounds while reading an archive: a manifest or key is small; refuse anything else. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
const MAX_KEY_BYTES = 16 * 1024;
/** What a restore says about waves restored without their keys. */
const WITHOUT_KEYS_WARNING =
  'cannot be closed with their answers: the archive was made without their keys';
const MAX_MEMBERS = 1_000_000;

/** A backup or restore refused or failed for a reason the operator can act on. */
export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' });
const Manifest = Type.Object(
  {
    format: Type.Literal(FORMAT),
    formatVersion: Type.Integer({ minimum: 1 }),
    /** Random per archive; every sealed key member is bound to it. */
    archiveId: Type.String({ pattern: '^[A-Za-z0-9_-]{22}$' }),
    createdAt: Type.String(),
    codeVersion: Type.String(),
    /** The last migration applied in the copied database. */
    migration: Type.Union([Type.String(), Type.Null()]),
    /**
     * The recovery key the key members are sealed to, or null when the archive holds no keys:
     * no wave needed any, or the backup was made without them (keysOmitted).
     */
    recipient: Type.Union([
      Type.Object(
        { suite: Type.Literal(RECOVERY_SUITE), fingerprint: Type.String() },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    /** Made without keys on request: the waves listed have keys elsewhere or nowhere. */
    keysOmitted: Type.Boolean(),
    waves: Type.Array(
      Type.Object(
        {
          id: Type.String({ pattern: SAFE_ID.source }),
          state: Type.Union([
            Type.Literal('preparing'),
            Type.Literal('open'),
            Type.Literal('closing'),
          ]),
          keys: Type.Array(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    members: Type.Array(
      Type.Object(
        { path: Type.String(), bytes: Type.Integer({ minimum: 0 }), sha256: Sha256 },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type BackupManifest = Static<typeof Manifest>;

/** Where a member of the archive lands: only these names, nothing a path could escape with. */
type MemberTarget =
  { kind: 'manifest' } | { kind: 'database' } | { kind: 'key'; waveId: string; file: string };

/** A key file in the key directory (temporary files, ".<random>.tmp", do not match). */
const KEY_FILE = /^keys\/([A-Za-z0-9_-]{1,36})\/([A-Za-z0-9_-]{1,36})\.key$/;
/** A sealed key in the archive. */
const KEY_MEMBER = /^keys\/([A-Za-z0-9_-]{1,36})\/([A-Za-z0-9_-]{1,36})\.key\.sealed$/;

function memberTarget(path: string): MemberTarget | null {
  if (path === MANIFEST) return { kind: 'manifest' };
  if (path === DATABASE_FILE) return { kind: 'database' };
  const key = KEY_MEMBER.exec(path);
  return key ? { kind: 'key', waveId: key[1]!, file: `${key[2]!}.key` } : null;
}

/**
 * The additional data of a sealed key member: the archive, the member's place and the database
 * it belongs to. A member moved to another place, or into another archive, or beside another
 * database copy does not open.
 */
const memberAad = (archiveId: string, path: string, databaseSha256: string) =>
  Buffer.from(`teamspiegel-backup\0${archiveId}\0${path}\0${databaseSha256}`, 'utf8');

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function sha256OfFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}

// ------------------------------------------------------------------------------------------
// Backup

/** Every key file in the key directory now, by archive path; files vanishing meanwhile are skipped. */
async function readKeyDirectory(keyDir: string): Promise<Map<string, Buffer>> {
  const keys = new Map<string, Buffer>();
  let waves;
  try {
    waves = await readdir(keyDir, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err)) return keys;
    throw err;
  }
  for (const wave of waves) {
    if (!wave.isDirectory() || !SAFE_ID.test(wave.name)) continue;
    let files;
    try {
      files = await readdir(join(keyDir, wave.name), { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) continue; // destroyed at close while we looked
      throw err;
    }
    for (const file of files) {
      // Temporary files (".<random>.tmp") are half-written keys; the key store links them
      // into place only when complete.
      const path = `keys/${wave.name}/${file.name}`;
      if (!file.isFile() || !KEY_FILE.test(path)) continue;
      try {
        keys.set(
          path,
          await readFile(join(keyDir, wave.name, file.name), {
            flag: fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW,
          }),
        );
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    }
  }
  return keys;
}

interface SnapshotWave {
  id: string;
  state: (typeof KEYED_STATES)[number];
  /** Cells whose key the snapshot records: cell id to key id. */
  cellKeys: Map<string, string>;
  /** One sealed response of the wave, if any, to check the data key against. */
  sample: { cellId: string; sealed: string } | null;
}

/** What the copied database says: its last migration, and the waves that still have keys. */
async function readSnapshot(db: Db): Promise<{ migration: string | null; waves: SnapshotWave[] }> {
  const migrations = await appliedMigrations(db);
  const rows = await db
    .selectFrom('wave')
    .select(['id', 'state'])
    .where('state', 'in', [...KEYED_STATES])
    .orderBy('id')
    .execute();
  const waves: SnapshotWave[] = [];
  for (const row of rows) {
    const cells = await db
      .selectFrom('wave_cell')
      .select(['id', 'key_id'])
      .where('wave_id', '=', row.id)
      .where('key_id', 'is not', null)
      .execute();
    const sample = await db
      .selectFrom('response')
      .select(['cell_id', 'sealed'])
      .where('wave_id', '=', row.id)
      .limit(1)
      .executeTakeFirst();
    waves.push({
      id: row.id,
      state: row.state as SnapshotWave['state'],
      cellKeys: new Map(cells.map((c) => [c.id, c.key_id!])),
      sample: sample ? { cellId: sample.cell_id, sealed: sample.sealed } : null,
    });
  }
  return { migration: migrations.at(-1) ?? null, waves };
}

/** The key id of a PKCS #8 signing key, or null when the bytes are no such key. */
function cellKeyId(der: Buffer): string | null {
  try {
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    return keyIdOf(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
  } catch {
    return null;
  }
}

/**
 * The keys the snapshot needs, checked against it: every cell key it records is there and is
 * that key, and an open or closing wave has a data key that opens its answers. A missing or
 * wrong key fails the backup (run it again) instead of making one that cannot be restored.
 */
function checkKeys(waves: SnapshotWave[], copied: Map<string, Buffer>): void {
  for (const wave of waves) {
    const prefix = `keys/${wave.id}/`;
    for (const [cellId, keyId] of wave.cellKeys) {
      const der = copied.get(`${prefix}${cellId}.key`);
      if (!der || cellKeyId(der) !== keyId) {
        throw new BackupError(
          `the signing key of cell ${cellId} of wave ${wave.id} is missing or changed while copying; run the backup again`,
        );
      }
    }
    const dataKey = copied.get(`${prefix}${DATA_KEY_FILE}`);
    if (wave.state !== 'preparing') {
      if (!dataKey || dataKey.length !== DATA_KEY_BYTES) {
        throw new BackupError(
          `the data key of wave ${wave.id} is missing; run the backup again, or check the key directory`,
        );
      }
      if (wave.sample) {
        try {
          openSealed(
            dataKey,
            Buffer.from(wave.sample.sealed, 'base64url'),
            answersAad(wave.id, wave.sample.cellId),
          ).fill(0);
        } catch {
          throw new BackupError(
            `the data key of wave ${wave.id} does not open its answers; run the backup again`,
          );
        }
      }
    }
  }
}

export interface BackupOptions {
  dataDir: string;
  keyDir: string;
  /** The archive to write; refused if anything exists there. */
  file: string;
  /** Which code made the backup (a version or commit), for the manifest. */
  codeVersion: string;
  /**
   * The recovery public key file (TEAMSPIEGEL_BACKUP_RECIPIENT) the keys are sealed to. Without
   * it, a backup is refused while any wave has keys, unless withoutKeys.
   */
  recipientFile?: string | null;
  /** A database-only archive: no key is read or included, even with a recipient. */
  withoutKeys?: boolean;
  now?: () => Date;
  /** Progress lines (never answer data). */
  log?: (line: string) => void;
}

export interface BackupResult {
  file: string;
  bytes: number;
  manifest: BackupManifest;
}

/**
 * An online backup while the server runs: the database through SQLite's backup API on a
 * connection of its own, and the keys of the waves that database shows as not closed.
 */
export async function createBackup(options: BackupOptions): Promise<BackupResult> {
  const log = options.log ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  const file = resolve(options.file);
  const keyDir = resolve(options.keyDir);
  const source = join(resolve(options.dataDir), DATABASE_FILE);
  if (!(await exists(source))) throw new BackupError(`no database at ${source}`);
  const withoutKeys = options.withoutKeys ?? false;
  const recipient =
    !withoutKeys && options.recipientFile
      ? await readRecoveryPublicKey(resolve(options.recipientFile)).catch((err: unknown) => {
          throw err instanceof RecoveryKeyError ? new BackupError(err.message) : err;
        })
      : null;

  // Claimed first (O_EXCL), so a backup never overwrites anything, not even one racing it.
  try {
    await (await open(file, 'wx', 0o600)).close();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new BackupError(`${file} exists already; a backup never overwrites a file`);
    }
    throw err;
  }
  // Staged beside the archive, in a directory only this user can enter: the copies of the keys
  // live on the same storage the archive is written to, and nowhere else.
  const staging = await mkdtemp(join(dirname(file), '.teamspiegel-backup-'));
  let done = false;
  try {
    // Keys, database, keys again; the union, then only the keys of waves the copy shows as
    // not closed. Why this order cannot miss a key of a wave the copy shows open (or
    // preparing, or closing):
    // - The key store writes a key file completely before the database records it (a cell's
    //   key id; a wave becomes open only after its data key exists), so every key the copy
    //   relies on existed on disk before the copy was taken.
    // - Keys are destroyed only after a wave's close has committed. A wave the copy shows not
    //   closed was closed, if at all, after the copy was taken, so none of its keys was
    //   destroyed before the copy.
    // - So each such key was on disk from before the copy until at least the copy. The first
    //   pass, entirely before the copy, holds it unless it appeared during that pass; the
    //   second pass, entirely after the copy, holds it unless the wave was also closed and
    //   its keys destroyed in the seconds since. That last case (a key born during the first
    //   pass and shredded before the second) is the only gap, and checkKeys checks every
    //   key against the copy and fails the backup rather than write one that lacks a key.
    // The first pass wins where both hold a file: keys are never replaced in place, so a
    // difference means the second pass read a key while it was being shredded at close.
    // Without keys, the key directory is not even read.
    const noKeys = async () => new Map<string, Buffer>();
    if (!withoutKeys) log('Copying the key directory (first pass)...');
    const first = withoutKeys ? await noKeys() : await readKeyDirectory(keyDir);
    log('Copying the database (online backup)...');
    const copy = join(staging, DATABASE_FILE);
    const { pages } = await backupDatabase(source, copy);
    log(`Database copied: ${pages} pages.`);
    if (!withoutKeys) log('Copying the key directory (second pass)...');
    const second = withoutKeys ? await noKeys() : await readKeyDirectory(keyDir);
    const union = new Map([...second, ...first]);

    const db = createDb(copy);
    let snapshot;
    try {
      const check = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db);
      if (check.rows[0]?.integrity_check !== 'ok') {
        throw new BackupError('the copied database fails its integrity check');
      }
      snapshot = await readSnapshot(db);
    } finally {
      await db.destroy();
    }
    if (!withoutKeys) {
      try {
        checkKeys(snapshot.waves, union);
      } catch (err) {
        for (const bytes of union.values()) bytes.fill(0);
        throw err;
      }
    }
    if (!withoutKeys && !recipient && snapshot.waves.length) {
      for (const bytes of union.values()) bytes.fill(0);
      throw new BackupError(
        `wave ${snapshot.waves.map((w) => `${w.id} (${w.state})`).join(', ')} has keys, and a backup seals keys to a recovery key: ` +
          'set TEAMSPIEGEL_BACKUP_RECIPIENT to its public key file (make one with `teamspiegel backup-key <dir>`), ' +
          'or pass --without-keys for a database-only archive, from which those waves cannot be closed with their answers',
      );
    }

    const archiveId = randomBytes(16).toString('base64url');
    const members: BackupManifest['members'] = [];
    const paths: string[] = [DATABASE_FILE];
    const database = await sha256OfFile(copy);
    members.push({ path: DATABASE_FILE, ...database });
    const waves: BackupManifest['waves'] = [];
    try {
      for (const wave of snapshot.waves) {
        const keys: string[] = [];
        if (recipient) {
          const prefix = `keys/${wave.id}/`;
          const files = [...union.keys()].filter((p) => p.startsWith(prefix)).sort();
          await mkdir(join(staging, 'keys', wave.id), { recursive: true, mode: 0o700 });
          for (const file of files) {
            const path = `${file}${SEALED}`;
            const sealed = await sealToRecoveryKey(
              recipient,
              union.get(file)!,
              memberAad(archiveId, path, database.sha256),
            );
            await writeFile(join(staging, path), sealed, { mode: 0o600, flag: 'wx' });
            members.push({ path, bytes: sealed.length, sha256: sha256(sealed) });
            paths.push(path);
            keys.push(path);
          }
        }
        waves.push({ id: wave.id, state: wave.state, keys });
      }
    } finally {
      for (const bytes of union.values()) bytes.fill(0);
    }

    const manifest: BackupManifest = {
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      archiveId,
      createdAt: now().toISOString(),
      codeVersion: options.codeVersion,
      migration: snapshot.migration,
      recipient:
        recipient && snapshot.waves.length
          ? { suite: RECOVERY_SUITE, fingerprint: recipient.fingerprint }
          : null,
      keysOmitted: withoutKeys,
      waves,
      members,
    };
    await writeFile(join(staging, MANIFEST), JSON.stringify(manifest, null, 2) + '\n', {
      mode: 0o600,
    });
    log('Writing the archive...');
    await createTar({ file, cwd: staging, gzip: true, portable: true }, [MANIFEST, ...paths]);
    await chmod(file, 0o600);
    const handle = await open(file, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    done = true;
    return { file, bytes: (await stat(file)).size, manifest };
  } finally {
    await rm(staging, { recursive: true, force: true });
    if (!done) await unlink(file).catch(() => undefined);
  }
}

// ------------------------------------------------------------------------------------------
// Restore

export interface RestoreOptions {
  dataDir: string;
  keyDir: string;
  /** The archive made by createBackup. */
  file: string;
  /** The recovery private key file; needed when the archive holds sealed keys. */
  recoveryKeyFile?: string | null;
  log?: (line: string) => void;
}

export interface RestoreResult {
  manifest: BackupManifest;
  /** Migrations this code ran on the restored database (it was made by older code). */
  migrated: string[];
  database: string;
  keyDir: string;
  /** Set when waves were restored without their keys: what that means for them. */
  warning: string | null;
}

/** Refuses unless the data directory holds no database and the key directory no keys. */
async function assertFresh(dataDir: string, keyDir: string): Promise<void> {
  for (const name of [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`]) {
    if (await exists(join(dataDir, name))) {
      throw new BackupError(
        `${dataDir} already holds a database; restore only into a fresh data directory`,
      );
    }
  }
  let entries: string[] = [];
  try {
    entries = await readdir(keyDir);
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  if (entries.length) {
    throw new BackupError(`${keyDir} is not empty; restore only into a fresh key directory`);
  }
}

interface StagedMember {
  path: string;
  staged: string;
  bytes: number;
  sha256: string;
}

/**
 * Reads every member of the archive into `staging` under a name of our own making: only the
 * manifest, the database and key files of safe ids are accepted, only as regular files (no
 * links, devices or directories), each once. Nothing in the archive chooses a path.
 */
async function stageArchive(file: string, staging: string): Promise<Map<string, StagedMember>> {
  const members = new Map<string, StagedMember>();
  const writes: Promise<void>[] = [];
  // The first refusal; later entries are skipped unread.
  const problems: BackupError[] = [];
  let count = 0;

  const refuse = (entry: ReadEntry, message: string) => {
    problems.push(new BackupError(message));
    entry.resume();
  };

  const onReadEntry = (entry: ReadEntry) => {
    if (problems.length) return void entry.resume();
    const path = entry.path;
    const target = memberTarget(path);
    if (!target)
      return refuse(entry, `the archive holds an unexpected member ${JSON.stringify(path)}`);
    if (entry.type !== 'File') {
      return refuse(entry, `${JSON.stringify(path)} in the archive is a ${entry.type}, not a file`);
    }
    if (members.has(path)) {
      return refuse(entry, `the archive holds ${JSON.stringify(path)} more than once`);
    }
    if (++count > MAX_MEMBERS) return refuse(entry, 'the archive holds too many members');
    const limit =
      target.kind === 'manifest'
        ? MAX_MANIFEST_BYTES
        : target.kind === 'key'
          ? MAX_KEY_BYTES
          : Number.POSITIVE_INFINITY;
    if ((entry.size ?? 0) > limit) return refuse(entry, `${path} in the archive is too large`);
    const staged = join(
      staging,
      target.kind === 'key' ? `key-${target.waveId}-${target.file}` : target.kind,
    );
    const member: StagedMember = { path, staged, bytes: 0, sha256: '' };
    members.set(path, member);
    const hash = createHash('sha256');
    const out = createWriteStream(staged, { flags: 'wx', mode: 0o600 });
    writes.push(
      new Promise<void>((done, fail) => {
        out.on('error', fail);
        out.on('close', done);
        entry.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          member.bytes += chunk.length;
          if (!out.write(chunk)) {
            entry.pause();
            out.once('drain', () => entry.resume());
          }
        });
        entry.on('end', () => {
          member.sha256 = hash.digest('hex');
          out.end();
        });
      }),
    );
  };

  try {
    await listTar({ file, strict: true, noResume: true, onReadEntry });
  } catch (err) {
    await Promise.allSettled(writes);
    throw new BackupError(`the archive cannot be read: ${(err as Error).message}`);
  }
  await Promise.all(writes);
  if (problems[0]) throw problems[0];
  return members;
}

/** The manifest, checked against what the archive holds: every member listed, each intact. */
async function verifiedManifest(members: Map<string, StagedMember>): Promise<BackupManifest> {
  const staged = members.get(MANIFEST);
  if (!staged) throw new BackupError('the archive has no manifest');
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(staged.staged, 'utf8'));
  } catch {
    throw new BackupError('the manifest is not JSON');
  }
  const version = (manifest as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version > FORMAT_VERSION) {
    throw new BackupError(
      `the backup has format ${version}; this code reads up to ${FORMAT_VERSION}: upgrade first`,
    );
  }
  if (typeof version === 'number' && version < FORMAT_VERSION) {
    throw new BackupError(
      `the backup has format ${version}, with keys in plain form; this code reads only archives whose keys are sealed (format ${FORMAT_VERSION}): restore it with the code that made it`,
    );
  }
  if (!Value.Check(Manifest, manifest)) {
    throw new BackupError('the manifest is not a Teamspiegel backup manifest');
  }
  const listed = new Set(manifest.members.map((m) => m.path));
  if (listed.size !== manifest.members.length) {
    throw new BackupError('the manifest lists a member twice');
  }
  for (const path of members.keys()) {
    if (path !== MANIFEST && !listed.has(path)) {
      throw new BackupError(`${path} is in the archive but not in its manifest`);
    }
  }
  for (const expected of manifest.members) {
    const member = members.get(expected.path);
    if (!member) throw new BackupError(`${expected.path} is missing from the archive`);
    if (member.bytes !== expected.bytes || member.sha256 !== expected.sha256) {
      throw new BackupError(
        `${expected.path} does not match its checksum: the archive was changed`,
      );
    }
  }
  if (!members.has(DATABASE_FILE)) throw new BackupError('the archive holds no database');
  const keyed = new Set(manifest.waves.flatMap((w) => w.keys));
  for (const path of listed) {
    const target = memberTarget(path);
    if (target?.kind === 'key' && !keyed.has(path)) {
      throw new BackupError(`${path} belongs to no wave of the manifest`);
    }
  }
  for (const path of keyed) {
    if (!listed.has(path)) throw new BackupError(`${path} is named by a wave but not included`);
  }
  if (keyed.size && (!manifest.recipient || manifest.keysOmitted)) {
    throw new BackupError('the manifest names keys but no recovery key they are sealed to');
  }
  return manifest;
}

/**
 * Every sealed key of the archive, opened in memory with the recovery key, by archive path. A
 * wrong recovery key, or a member changed, moved or taken from another archive, refuses the
 * whole restore before anything is written.
 */
async function openKeys(
  manifest: BackupManifest,
  members: Map<string, StagedMember>,
  recoveryKeyFile: string | null | undefined,
): Promise<Map<string, Buffer>> {
  const opened = new Map<string, Buffer>();
  const paths = manifest.waves.flatMap((w) => w.keys);
  if (!paths.length) return opened;
  const fingerprint = manifest.recipient!.fingerprint;
  if (!recoveryKeyFile) {
    throw new BackupError(
      `the archive holds the keys of ${manifest.waves.filter((w) => w.keys.length).length} wave(s), sealed to recovery key ${fingerprint}: pass --recovery-key <private key file>`,
    );
  }
  let key: RecoveryPrivateKey;
  try {
    key = await readRecoveryPrivateKey(resolve(recoveryKeyFile));
  } catch (err) {
    throw err instanceof RecoveryKeyError ? new BackupError(err.message) : err;
  }
  try {
    if (key.fingerprint !== fingerprint) {
      throw new BackupError(
        `the recovery key ${key.fingerprint} is not the one this archive was sealed to (${fingerprint})`,
      );
    }
    const database = manifest.members.find((m) => m.path === DATABASE_FILE)!.sha256;
    for (const path of paths) {
      const sealed = await readFile(members.get(path)!.staged);
      const plain = await openWithRecoveryKey(
        key,
        sealed,
        memberAad(manifest.archiveId, path, database),
      );
      if (!plain) {
        throw new BackupError(
          `${path} does not open with the recovery key: it was changed, moved, or taken from another archive`,
        );
      }
      opened.set(path, plain);
    }
    return opened;
  } catch (err) {
    for (const bytes of opened.values()) bytes.fill(0);
    throw err;
  } finally {
    key.secret.fill(0);
  }
}

/** Moves a staged file into place with mode 0600, also onto another file system. */
async function moveFile(from: string, to: string): Promise<void> {
  await chmod(from, 0o600);
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to, fsConstants.COPYFILE_EXCL);
    await chmod(to, 0o600);
    await unlink(from);
  }
}

/** The migrations this code knows, in order (run on an empty in-memory database). */
async function knownMigrations(): Promise<string[]> {
  const db = createDb(':memory:');
  try {
    await migrateToLatest(db);
    return await appliedMigrations(db);
  } finally {
    await db.destroy();
  }
}

async function appliedMigrations(db: Db): Promise<string[]> {
  const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
    db,
  );
  return rows.rows.map((r) => r.name);
}

/**
 * Restores an archive into a fresh data directory and key directory: verifies the manifest
 * and every checksum before anything is put in place, sets owner-only modes, and runs the
 * migrations this code has and the backup's database lacks.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const log = options.log ?? (() => undefined);
  const file = resolve(options.file);
  const dataDir = resolve(options.dataDir);
  const keyDir = resolve(options.keyDir);
  await assertFresh(dataDir, keyDir);
  if (!(await stat(file).catch(() => null))?.isFile())
    throw new BackupError(`no archive at ${file}`);

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // The data directory holds the database and the session secret: its owner's alone.
  await chmod(dataDir, 0o700);
  const staging = await mkdtemp(join(dataDir, '.teamspiegel-restore-'));
  // The opened keys, only ever in memory until written into the key directory.
  let keys = new Map<string, Buffer>();
  try {
    log(`Reading ${basename(file)}...`);
    const members = await stageArchive(file, staging);
    const manifest = await verifiedManifest(members);
    log(`Manifest and ${manifest.members.length} checksums verified.`);
    keys = await openKeys(manifest, members, options.recoveryKeyFile);
    // The database: intact, and from code this code can read (its migrations are ours).
    const stagedDb = members.get(DATABASE_FILE)!.staged;
    const known = await knownMigrations();
    const db = createDb(stagedDb);
    let before: string[];
    try {
      const check = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db);
      if (check.rows[0]?.integrity_check !== 'ok') {
        throw new BackupError('the database in the archive fails its integrity check');
      }
      before = await appliedMigrations(db);
    } finally {
      await db.destroy();
    }
    const unknown = before.filter((m) => !known.includes(m));
    if (unknown.length) {
      throw new BackupError(
        `the backup was made by newer code (migration ${unknown.join(', ')}); restore it with that version or later`,
      );
    }

    // Checked again just before anything is put in place, then keys first, database last: a
    // database in the data directory is what marks a restore as done.
    await assertFresh(dataDir, keyDir);
    await mkdir(keyDir, { recursive: true, mode: 0o700 });
    await chmod(keyDir, 0o700);
    for (const wave of manifest.waves) {
      if (!wave.keys.length) continue;
      const dir = join(keyDir, wave.id);
      await mkdir(dir, { mode: 0o700 });
      for (const path of wave.keys) {
        const target = memberTarget(path) as Extract<MemberTarget, { kind: 'key' }>;
        await writeFile(join(dir, target.file), keys.get(path)!, { mode: 0o600, flag: 'wx' });
      }
    }
    const database = join(dataDir, DATABASE_FILE);
    await moveFile(stagedDb, database);

    const restored = createDb(database);
    let migrated: string[];
    try {
      await migrateToLatest(restored);
      const after = await appliedMigrations(restored);
      migrated = after.filter((m) => !before.includes(m));
    } finally {
      await restored.destroy();
    }
    const keyless = manifest.waves.filter((w) => w.state !== 'preparing' && !w.keys.length);
    const warning = keyless.length
      ? `${keyless.map((w) => `${w.id} (${w.state})`).join(', ')}: ${WITHOUT_KEYS_WARNING}`
      : null;
    return { manifest, migrated, database, keyDir, warning };
  } finally {
    for (const bytes of keys.values()) bytes.fill(0);
    await rm(staging, { recursive: true, force: true });
  }
}

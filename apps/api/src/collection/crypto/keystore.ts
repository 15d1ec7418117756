// Secret keys of a wave live in files under a key directory (the app passes <dataDir>/keys),
// never in the database: a copy of the database file, its WAL or a backup then holds neither
// the signing keys nor the key that seals answers (anonymity.md 4.4), and closing a wave can
// destroy them for good (4.5).
//
//   <dir>/                     0700
//   <dir>/<waveId>/            0700
//   <dir>/<waveId>/<cellId>.key  PKCS #8 DER of the cell's signing key, 0600
//   <dir>/<waveId>/data.key      32 random bytes: the wave's AES-256-GCM data key, 0600
//
// Every file is written to a temporary name, flushed and then linked into place, so a crash
// never leaves half a key, and an existing key is never replaced (a replaced data key would make
// sealed answers unreadable; a replaced signing key would void tokens already issued).

import { createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { chmod, link, mkdir, open, readdir, readFile, rm, rmdir, unlink } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { SAFE_ID } from './encoding.ts';
import { keyIdOf } from './keys.ts';

/** A cell's signing key, ready to sign: both halves (the self-check needs the public one). */
export interface CellSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
}

/** A key file is already there; keys are never replaced in place (destroy the wave first). */
export class KeyExistsError extends Error {
  constructor(readonly path: string) {
    super(`A key already exists at ${path}.`);
    this.name = 'KeyExistsError';
  }
}

const DATA_KEY_BYTES = 32;
const DATA_KEY_FILE = 'data.key';

function checkId(kind: string, id: string): string {
  if (!SAFE_ID.test(id)) throw new RangeError(`${kind} is not a safe id`);
  return id;
}

function waveDir(dir: string, waveId: string): string {
  return join(resolve(dir), checkId('waveId', waveId));
}

function cellKeyPath(dir: string, waveId: string, cellId: string): string {
  // 'data' would name the data key's file.
  if (cellId === 'data') throw new RangeError('cellId "data" is reserved');
  return join(waveDir(dir, waveId), `${checkId('cellId', cellId)}.key`);
}

// ------------------------------------------------------------------------------------------
// Cache: signing takes about 1 ms, reading and parsing a key file each time would cost more.
// Entries of a wave are dropped when its keys are destroyed, and a read that was under way
// while they were destroyed is not cached (the epoch check below).

const CACHE_LIMIT = 8192;
const cache = new Map<string, CellSigningKey | Buffer>();
const epochs = new Map<string, number>();

const epochOf = (waveDirPath: string) => epochs.get(waveDirPath) ?? 0;

function remember(key: string, waveDirPath: string, epoch: number, value: CellSigningKey | Buffer) {
  if (epochOf(waveDirPath) !== epoch) return false;
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return true;
}

function forgetWave(waveDirPath: string): void {
  epochs.set(waveDirPath, epochOf(waveDirPath) + 1);
  for (const key of cache.keys()) {
    if (key.startsWith(waveDirPath + sep)) cache.delete(key);
  }
}

// ------------------------------------------------------------------------------------------
// Files

async function ensureWaveDir(dir: string, waveId: string): Promise<string> {
  const root = resolve(dir);
  const wave = waveDir(dir, waveId);
  await mkdir(wave, { recursive: true, mode: 0o700 });
  // mkdir leaves existing directories as they are: tighten them too.
  await chmod(root, 0o700);
  await chmod(wave, 0o700);
  return wave;
}

async function fsyncDir(path: string): Promise<void> {
  const handle = await open(path, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `bytes` to `path` (0600) unless it exists: temporary file, fsync, link, fsync dir. */
async function writeNewSecret(dirPath: string, path: string, bytes: Buffer): Promise<void> {
  const temp = join(dirPath, `.${randomBytes(8).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // link() fails with EEXIST instead of replacing, unlike rename().
    await link(temp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new KeyExistsError(path);
    throw err;
  } finally {
    await unlink(temp);
  }
  await fsyncDir(dirPath);
}

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

async function readIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path, { flag: fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW });
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

/** Overwrites a file with random bytes of its own length, flushes, then removes it. */
async function shred(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, fsConstants.O_RDWR | fsConstants.O_NOFOLLOW);
  } catch (err) {
    if (isMissing(err)) return; // a concurrent destroy got there first
    throw err;
  }
  try {
    const { size } = await handle.stat();
    if (size > 0) await handle.write(randomBytes(size), 0, size, 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await unlink(path).catch((err: unknown) => {
    if (!isMissing(err)) throw err;
  });
}

// ------------------------------------------------------------------------------------------
// Cell signing keys

/** Stores a cell's private key (PKCS #8 DER); throws KeyExistsError if it already has one. */
export async function saveCellKey(
  dir: string,
  waveId: string,
  cellId: string,
  privateKeyPkcs8: Buffer,
): Promise<void> {
  const path = cellKeyPath(dir, waveId, cellId);
  const wave = await ensureWaveDir(dir, waveId);
  await writeNewSecret(wave, path, privateKeyPkcs8);
}

/** A cell's signing key, or null when the cell has none (never made, or destroyed at close). */
export async function loadCellKey(
  dir: string,
  waveId: string,
  cellId: string,
): Promise<CellSigningKey | null> {
  const path = cellKeyPath(dir, waveId, cellId);
  const cached = cache.get(path);
  if (cached) return cached as CellSigningKey;
  const wave = waveDir(dir, waveId);
  const epoch = epochOf(wave);
  const der = await readIfExists(path);
  if (!der) return null;
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  der.fill(0);
  const publicKey = createPublicKey(privateKey);
  const keyId = keyIdOf(publicKey.export({ format: 'der', type: 'spki' }));
  const key: CellSigningKey = { privateKey, publicKey, keyId };
  // Destroyed while we were reading: behave as if the key was already gone.
  return remember(path, wave, epoch, key) ? key : null;
}

// ------------------------------------------------------------------------------------------
// The wave's data key (AES-256-GCM, seal.ts)

/** Creates the wave's random 32-byte data key; throws KeyExistsError if it already has one. */
export async function createWaveDataKey(dir: string, waveId: string): Promise<void> {
  const wave = await ensureWaveDir(dir, waveId);
  const key = randomBytes(DATA_KEY_BYTES);
  try {
    await writeNewSecret(wave, join(wave, DATA_KEY_FILE), key);
  } finally {
    key.fill(0);
  }
}

/** The wave's data key (shared and cached: do not modify it), or null when it has none (never made, or destroyed at close). */
export async function loadWaveDataKey(dir: string, waveId: string): Promise<Buffer | null> {
  const wave = waveDir(dir, waveId);
  const path = join(wave, DATA_KEY_FILE);
  const cached = cache.get(path);
  if (cached) return cached as Buffer;
  const epoch = epochOf(wave);
  const key = await readIfExists(path);
  if (!key) return null;
  if (key.length !== DATA_KEY_BYTES) throw new Error(`${path} is not a ${DATA_KEY_BYTES}-byte key`);
  return remember(path, wave, epoch, key) ? key : null;
}

// ------------------------------------------------------------------------------------------
// Destruction at close

/**
 * Destroys every key of a wave: forgets cached keys, overwrites each file with random bytes,
 * flushes, unlinks it, and removes the wave's directory. Idempotent: a wave without keys is fine.
 * (Overwriting is best effort on SSDs and copy-on-write file systems; unlinking is what counts.)
 */
export async function destroyWaveKeys(dir: string, waveId: string): Promise<void> {
  const wave = waveDir(dir, waveId);
  forgetWave(wave);
  let entries;
  try {
    entries = await readdir(wave, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err)) return;
    throw err;
  }
  for (const entry of entries) {
    const path = join(wave, entry.name);
    if (entry.isFile()) await shred(path);
    else await rm(path, { recursive: true, force: true });
  }
  await rmdir(wave).catch((err: unknown) => {
    if (!isMissing(err)) throw err;
  });
  await fsyncDir(resolve(dir));
  // A read that began before forgetWave may have cached nothing, but clear once more anyway.
  forgetWave(wave);
}

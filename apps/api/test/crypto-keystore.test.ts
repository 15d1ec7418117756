import { randomBytes } from 'node:crypto';
import {
  existsSync,
  linkSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { blindSign } from '../src/collection/crypto/blind-sign.ts';
import { generateCellKey, type CellKeyPair } from '../src/collection/crypto/keys.ts';
import {
  createWaveDataKey,
  destroyWaveKeys,
  KeyExistsError,
  loadCellKey,
  loadWaveDataKey,
  saveCellKey,
} from '../src/collection/crypto/keystore.ts';

const keystore = suite('crypto: key store');

const WAVE = '0b5e3c1a-7d2f-4e8a-9c6b-1f2e3d4c5b6a';
const CELL = '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a';
const OTHER_CELL = '9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d';

let root: string;
let dir: string;
let pair: CellKeyPair;
let other: CellKeyPair;

const modeOf = (path: string) => statSync(path).mode & 0o777;

keystore.before(async () => {
  root = mkdtempSync(join(tmpdir(), 'teamspiegel-keys-'));
  [pair, other] = await Promise.all([generateCellKey(), generateCellKey()]);
});
keystore.before.each(() => {
  dir = join(root, `keys-${randomBytes(4).toString('hex')}`);
});
keystore.after(() => rmSync(root, { recursive: true, force: true }));

keystore('saves a cell key as <dir>/<wave>/<cell>.key, 0600 in 0700 directories', async () => {
  await saveCellKey(dir, WAVE, CELL, pair.privateKeyPkcs8);
  const file = join(dir, WAVE, `${CELL}.key`);
  assert.ok(readFileSync(file).equals(pair.privateKeyPkcs8));
  assert.is(modeOf(file), 0o600);
  assert.is(modeOf(join(dir, WAVE)), 0o700);
  assert.is(modeOf(dir), 0o700);
  // No temporary file is left beside it.
  assert.equal(readdirSync(join(dir, WAVE)), [`${CELL}.key`]);
});

keystore('loads a key that signs, with the key id of its public half', async () => {
  await saveCellKey(dir, WAVE, CELL, pair.privateKeyPkcs8);
  const key = await loadCellKey(dir, WAVE, CELL);
  assert.ok(key);
  assert.is(key.keyId, pair.keyId);
  assert.ok(key.publicKey.export({ format: 'der', type: 'spki' }).equals(pair.publicKeySpki));
  const m = randomBytes(256);
  m[0] = 0; // below any 2048-bit modulus
  assert.is(blindSign(key.privateKey, key.publicKey, m).length, 256);
  // Served from the cache the second time: the same objects.
  assert.is(await loadCellKey(dir, WAVE, CELL), key);
  assert.is(await loadCellKey(dir, WAVE, OTHER_CELL), null);
  assert.is(await loadCellKey(dir, 'no-such-wave', CELL), null);
});

keystore('never replaces a key that exists', async () => {
  await saveCellKey(dir, WAVE, CELL, pair.privateKeyPkcs8);
  try {
    await saveCellKey(dir, WAVE, CELL, other.privateKeyPkcs8);
    assert.unreachable('a second key was accepted');
  } catch (err) {
    assert.instance(err, KeyExistsError);
  }
  assert.ok(readFileSync(join(dir, WAVE, `${CELL}.key`)).equals(pair.privateKeyPkcs8));
  assert.equal(readdirSync(join(dir, WAVE)), [`${CELL}.key`]);

  await createWaveDataKey(dir, WAVE);
  const dataKey = readFileSync(join(dir, WAVE, 'data.key'));
  try {
    await createWaveDataKey(dir, WAVE);
    assert.unreachable('a second data key was accepted');
  } catch (err) {
    assert.instance(err, KeyExistsError);
  }
  assert.ok(readFileSync(join(dir, WAVE, 'data.key')).equals(dataKey));
});

keystore('refuses ids that could leave the key directory or collide', async () => {
  const cases: [string, string][] = [
    ['..', CELL],
    ['../x', CELL],
    ['a/b', CELL],
    ['', CELL],
    ['a'.repeat(37), CELL],
    [WAVE, '../../etc/passwd'],
    [WAVE, '.hidden'],
    [WAVE, 'data'],
    [WAVE, ''],
  ];
  for (const [waveId, cellId] of cases) {
    try {
      await saveCellKey(dir, waveId, cellId, pair.privateKeyPkcs8);
      assert.unreachable(`${waveId} / ${cellId} was accepted`);
    } catch (err) {
      assert.instance(err, RangeError, `${waveId} / ${cellId}`);
    }
  }
  assert.not.ok(existsSync(dir));
});

keystore('creates and loads a 32-byte wave data key, 0600', async () => {
  assert.is(await loadWaveDataKey(dir, WAVE), null);
  await createWaveDataKey(dir, WAVE);
  const file = join(dir, WAVE, 'data.key');
  assert.is(modeOf(file), 0o600);
  const key = await loadWaveDataKey(dir, WAVE);
  assert.is(key?.length, 32);
  assert.ok(key?.equals(readFileSync(file)));
});

keystore('destroys every key of a wave, overwriting before unlinking, idempotently', async () => {
  await saveCellKey(dir, WAVE, CELL, pair.privateKeyPkcs8);
  await saveCellKey(dir, WAVE, OTHER_CELL, other.privateKeyPkcs8);
  await createWaveDataKey(dir, WAVE);
  await saveCellKey(dir, 'other-wave', CELL, other.privateKeyPkcs8);
  // Loaded (and cached) before the close, as a running server would have them.
  assert.ok(await loadCellKey(dir, WAVE, CELL));
  const dataKey = Buffer.from((await loadWaveDataKey(dir, WAVE))!);

  // A second hard link to the same inode shows what the key's blocks held after destruction.
  const witness = join(root, `witness-${randomBytes(4).toString('hex')}`);
  linkSync(join(dir, WAVE, `${CELL}.key`), witness);
  const dataWitness = witness + '-data';
  linkSync(join(dir, WAVE, 'data.key'), dataWitness);

  await destroyWaveKeys(dir, WAVE);

  assert.not.ok(existsSync(join(dir, WAVE)));
  assert.is(await loadCellKey(dir, WAVE, CELL), null);
  assert.is(await loadCellKey(dir, WAVE, OTHER_CELL), null);
  assert.is(await loadWaveDataKey(dir, WAVE), null);
  const overwritten = readFileSync(witness);
  assert.is(overwritten.length, pair.privateKeyPkcs8.length);
  assert.not.ok(overwritten.equals(pair.privateKeyPkcs8));
  assert.not.ok(readFileSync(dataWitness).equals(dataKey));
  // Other waves keep their keys.
  assert.ok(await loadCellKey(dir, 'other-wave', CELL));

  // Idempotent: again, and for a wave that never had keys.
  await destroyWaveKeys(dir, WAVE);
  await destroyWaveKeys(dir, 'never-had-keys');
  await destroyWaveKeys(join(root, 'no-such-dir'), WAVE);
});

keystore('a key read that races with destruction is not kept in the cache', async () => {
  await saveCellKey(dir, WAVE, CELL, pair.privateKeyPkcs8);
  const loading = loadCellKey(dir, WAVE, CELL);
  await destroyWaveKeys(dir, WAVE);
  await loading; // null or the key, depending on who won the race
  assert.is(await loadCellKey(dir, WAVE, CELL), null);
});

keystore.run();

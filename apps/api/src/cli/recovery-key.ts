// The operator's recovery key: the key pair backups seal the wave keys they carry to
// (docs/operations.md, "Backups"; docs/decisions/0010-backups-seal-wave-keys.md).
//
// The public half stays on the server (TEAMSPIEGEL_BACKUP_RECIPIENT): with it, a backup can seal
// but never open. The private half is kept offline by a custodian and is needed only to restore
// the keys of waves that were open when the archive was made. A copy of an archive (threat T4,
// anonymity.md) therefore opens no answers, and two copies taken around a submission show no
// more than two database copies do.
//
// Sealing is HPKE (RFC 9180, base mode): DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM.

import { createECDH, createHash, type webcrypto } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Aes256Gcm, CipherSuite, DhkemP256HkdfSha256, HkdfSha256 } from '@hpke/core';

export const RECOVERY_SUITE = 'DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM';
export const PUBLIC_KEY_FILE = 'teamspiegel-recovery.pub';
export const PRIVATE_KEY_FILE = 'teamspiegel-recovery.key';
const PUBLIC_FORMAT = 'teamspiegel-recovery-public-key';
const PRIVATE_FORMAT = 'teamspiegel-recovery-private-key';
const PUBLIC_KEY_BYTES = 65;
const PRIVATE_KEY_BYTES = 32;
/** The size of HPKE's encapsulated key at the front of every sealed member. */
const ENC_BYTES = 65;
/** Binds every sealed member to this use (HPKE's info). */
const INFO = new TextEncoder().encode('teamspiegel backup key member v2');

type Key = webcrypto.CryptoKey;
type Bytes = ArrayBuffer | ArrayBufferView;
/** The part of @hpke/core's CipherSuite used here, typed for the linter as for the compiler. */
interface HpkeSuite {
  kem: {
    generateKeyPair(): Promise<{ publicKey: Key; privateKey: Key }>;
    serializePublicKey(key: Key): Promise<ArrayBuffer>;
    serializePrivateKey(key: Key): Promise<ArrayBuffer>;
    deserializePublicKey(raw: Bytes): Promise<Key>;
    deserializePrivateKey(raw: Bytes): Promise<Key>;
  };
  seal(
    params: { recipientPublicKey: Key; info: Bytes },
    plain: Bytes,
    aad: Bytes,
  ): Promise<{ enc: ArrayBuffer; ct: ArrayBuffer }>;
  open(
    params: { recipientKey: Key; enc: Bytes; info: Bytes },
    ct: Bytes,
    aad: Bytes,
  ): Promise<ArrayBuffer>;
}

const suite: HpkeSuite = new CipherSuite({
  kem: new DhkemP256HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Aes256Gcm(),
});

/** A recovery key file that cannot be used, or a sealed member that does not open. */
export class RecoveryKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecoveryKeyError';
  }
}

export interface RecoveryPublicKey {
  /** The uncompressed P-256 point (65 bytes). */
  raw: Buffer;
  fingerprint: string;
}

export interface RecoveryPrivateKey extends RecoveryPublicKey {
  /** The P-256 scalar (32 bytes). */
  secret: Buffer;
}

/** The first 16 bytes of SHA-256 of the public key, hex in groups of four: to compare by eye. */
export function fingerprintOf(raw: Buffer): string {
  const hex = createHash('sha256').update(raw).digest('hex').slice(0, 32);
  return hex.match(/.{4}/g)!.join('-');
}

const b64 = (bytes: Buffer) => bytes.toString('base64url');

/**
 * A new recovery key pair in `dir`: the public key file (0644, for the server) and the private
 * key file (0600, for the custodian). Neither overwrites an existing file.
 */
export async function generateRecoveryKey(
  dir: string,
): Promise<{ publicFile: string; privateFile: string; fingerprint: string }> {
  const pair = await suite.kem.generateKeyPair();
  const raw = Buffer.from(await suite.kem.serializePublicKey(pair.publicKey));
  const secret = Buffer.from(await suite.kem.serializePrivateKey(pair.privateKey));
  const fingerprint = fingerprintOf(raw);
  const publicFile = join(dir, PUBLIC_KEY_FILE);
  const privateFile = join(dir, PRIVATE_KEY_FILE);
  const common = { suite: RECOVERY_SUITE, fingerprint, publicKey: b64(raw) };
  try {
    for (const file of [publicFile, privateFile]) {
      if (await stat(file).catch(() => null)) throw Object.assign(new Error(), { code: 'EEXIST' });
    }
    await writeFile(
      privateFile,
      JSON.stringify({ format: PRIVATE_FORMAT, version: 1, ...common, privateKey: b64(secret) }) +
        '\n',
      { mode: 0o600, flag: 'wx' },
    );
    await writeFile(
      publicFile,
      JSON.stringify({ format: PUBLIC_FORMAT, version: 1, ...common }) + '\n',
      { mode: 0o644, flag: 'wx' },
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new RecoveryKeyError(
        `${dir} already holds a recovery key file; a new key never overwrites one`,
      );
    }
    throw err;
  } finally {
    secret.fill(0);
  }
  return { publicFile, privateFile, fingerprint };
}

async function readKeyFile(file: string, format: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    if ((await stat(file)).size > 4096) throw new Error('too large');
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new RecoveryKeyError(
      `cannot read the recovery key file ${file}: ${(err as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  const fields = parsed as Record<string, unknown> | null;
  if (
    !fields ||
    typeof fields !== 'object' ||
    fields.format !== format ||
    fields.version !== 1 ||
    fields.suite !== RECOVERY_SUITE ||
    typeof fields.publicKey !== 'string'
  ) {
    const other = format === PUBLIC_FORMAT ? PRIVATE_FORMAT : PUBLIC_FORMAT;
    throw new RecoveryKeyError(
      fields?.format === other
        ? `${file} is a recovery ${format === PUBLIC_FORMAT ? 'private' : 'public'} key; ${format === PUBLIC_FORMAT ? 'the server needs only the public key (.pub)' : 'a restore needs the private key'}`
        : `${file} is not a Teamspiegel recovery key file`,
    );
  }
  return fields;
}

function publicPoint(file: string, encoded: string): Buffer {
  const raw = Buffer.from(encoded, 'base64url');
  if (raw.length !== PUBLIC_KEY_BYTES || raw[0] !== 0x04) {
    throw new RecoveryKeyError(`${file} holds no P-256 public key`);
  }
  return raw;
}

/** The recovery public key a backup seals to. */
export async function readRecoveryPublicKey(file: string): Promise<RecoveryPublicKey> {
  const fields = await readKeyFile(file, PUBLIC_FORMAT);
  const raw = publicPoint(file, fields.publicKey as string);
  try {
    await suite.kem.deserializePublicKey(raw);
  } catch {
    throw new RecoveryKeyError(`${file} holds no valid P-256 public key`);
  }
  return { raw, fingerprint: fingerprintOf(raw) };
}

/** The recovery private key a restore opens with; its public half is derived, not trusted. */
export async function readRecoveryPrivateKey(file: string): Promise<RecoveryPrivateKey> {
  const fields = await readKeyFile(file, PRIVATE_FORMAT);
  const secret = Buffer.from(
    typeof fields.privateKey === 'string' ? fields.privateKey : '',
    'base64url',
  );
  let raw: Buffer;
  try {
    if (secret.length !== PRIVATE_KEY_BYTES) throw new Error('length');
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(secret);
    raw = ecdh.getPublicKey();
  } catch {
    throw new RecoveryKeyError(`${file} holds no valid P-256 private key`);
  }
  return { raw, secret, fingerprint: fingerprintOf(raw) };
}

/** `plain` sealed to the recovery key, bound to `aad`: the encapsulated key, then the ciphertext. */
export async function sealToRecoveryKey(
  recipient: RecoveryPublicKey,
  plain: Buffer,
  aad: Buffer,
): Promise<Buffer> {
  const recipientPublicKey = await suite.kem.deserializePublicKey(recipient.raw);
  const { enc, ct } = await suite.seal({ recipientPublicKey, info: INFO }, plain, aad);
  return Buffer.concat([Buffer.from(enc), Buffer.from(ct)]);
}

/** Opens what sealToRecoveryKey made with the same `aad`; null if it does not open. */
export async function openWithRecoveryKey(
  key: RecoveryPrivateKey,
  sealed: Buffer,
  aad: Buffer,
): Promise<Buffer | null> {
  if (sealed.length <= ENC_BYTES) return null;
  try {
    const recipientKey = await suite.kem.deserializePrivateKey(key.secret);
    const plain = await suite.open(
      { recipientKey, enc: sealed.subarray(0, ENC_BYTES), info: INFO },
      sealed.subarray(ENC_BYTES),
      aad,
    );
    return Buffer.from(plain);
  } catch {
    return null;
  }
}

// Answers are sealed until the wave closes (anonymity.md 4.4): AES-256-GCM under the wave's
// random data key, which lives in the key directory and is destroyed at close, so a copy of the
// database file, its WAL or a backup taken mid-wave shows nothing. It costs microseconds per
// submission; HPKE would cost about 1.8 ms and protect the same thing.
//
// The additional data binds a sealed blob to its wave and cell: moved to another cell's row,
// it no longer opens. A random 96-bit IV per message is safe far beyond one wave's volume
// (NIST SP 800-38D allows 2^32 messages per key).

import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The additional data of a sealed answer set: `waveId|cellId`. */
export function answersAad(waveId: string, cellId: string): Buffer {
  return Buffer.from(`${waveId}|${cellId}`, 'utf8');
}

function checkKey(dataKey: Buffer): void {
  if (dataKey.length !== KEY_BYTES) throw new RangeError('data key must be 32 bytes');
}

/**
 * IVs are taken from a pool of random bytes filled in one call, each slice used once: one
 * system call per 512 submissions instead of one each. The pool is refilled only after every
 * slice was used, and each IV is copied into the sealed value before the next is taken.
 */
const ivPool = Buffer.alloc(IV_BYTES * 512);
let ivOffset = ivPool.length;

function nextIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    randomFillSync(ivPool);
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

/** Encrypts and authenticates: random 12-byte IV || ciphertext || 16-byte tag. */
export function seal(dataKey: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  checkKey(dataKey);
  const iv = nextIv();
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  // Evaluated left to right: the tag is read after final().
  return Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** Decrypts what seal() made with the same key and AAD; throws if anything was changed. */
export function open(dataKey: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  checkKey(dataKey);
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value is too short');
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', dataKey, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([
    decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
    decipher.final(),
  ]);
}

// The officer's side of RFC 9474 (RSABSSA-SHA384-PSS-Randomized), for preparing thousands of
// token requests quickly: prepare, blind, finalize. The browser uses @cloudflare/blindrsa-ts,
// whose pure-JS big numbers take about 70 ms per blind here (5,000 officers would take six
// minutes); this is the same arithmetic with native BigInt and node:crypto hashes:
//
//   prepare:  32 random bytes || message
//   blind:    m = EMSA-PSS-ENCODE(prepared) (SHA-384, MGF1-SHA-384, 48-byte salt, RFC 8017 9.1.1)
//             blinded = m * r^e mod n, inv = r^-1 mod n, for a random r
//   finalize: s = blindSignature * inv mod n; must verify as RSASSA-PSS over the prepared message
//
// finalize() checks the signature with node:crypto as /submit does and throws if it is wrong.

import {
  constants,
  createHash,
  createPublicKey,
  randomBytes,
  verify,
  type KeyObject,
} from 'node:crypto';

const HASH = 'sha384';
const HASH_BYTES = 48;
const SALT_BYTES = 48;
export const PREPARE_RANDOM_BYTES = 32;

export interface ClientKey {
  key: KeyObject;
  n: bigint;
  e: bigint;
  bytes: number;
  bits: number;
}

export function clientKey(spkiBase64url: string): ClientKey {
  const key = createPublicKey({
    key: Buffer.from(spkiBase64url, 'base64url'),
    format: 'der',
    type: 'spki',
  });
  const jwk = key.export({ format: 'jwk' });
  const n = fromBytes(Buffer.from(jwk.n!, 'base64url'));
  const bits = n.toString(2).length;
  return {
    key,
    n,
    e: fromBytes(Buffer.from(jwk.e!, 'base64url')),
    bytes: Math.ceil(bits / 8),
    bits,
  };
}

export function prepare(message: string): Buffer {
  return Buffer.concat([randomBytes(PREPARE_RANDOM_BYTES), Buffer.from(message, 'utf8')]);
}

export function blind(pk: ClientKey, prepared: Buffer): { blinded: Buffer; inv: bigint } {
  const m = fromBytes(emsaPssEncode(prepared, pk.bits - 1));
  if (m >= pk.n) throw new Error('encoded message is not below the modulus');
  for (;;) {
    const r = fromBytes(randomBytes(pk.bytes)) % pk.n;
    if (r < 2n) continue;
    const inv = modInverse(r, pk.n);
    if (inv === null) continue;
    const blinded = (m * modPow(r, pk.e, pk.n)) % pk.n;
    return { blinded: toBytes(blinded, pk.bytes), inv };
  }
}

export function finalize(
  pk: ClientKey,
  prepared: Buffer,
  blindSignature: Buffer,
  inv: bigint,
): Buffer {
  const signature = toBytes((fromBytes(blindSignature) * inv) % pk.n, pk.bytes);
  const ok = verify(
    HASH,
    prepared,
    { key: pk.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: SALT_BYTES },
    signature,
  );
  if (!ok) throw new Error('the finalized signature does not verify');
  return signature;
}

/** EMSA-PSS-ENCODE (RFC 8017 9.1.1) with SHA-384, MGF1-SHA-384 and a random 48-byte salt. */
function emsaPssEncode(message: Buffer, emBits: number): Buffer {
  const emLen = Math.ceil(emBits / 8);
  const mHash = createHash(HASH).update(message).digest();
  const salt = randomBytes(SALT_BYTES);
  const h = createHash(HASH).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  const db = Buffer.alloc(emLen - HASH_BYTES - 1);
  db[db.length - SALT_BYTES - 1] = 0x01;
  salt.copy(db, db.length - SALT_BYTES);
  const mask = mgf1(h, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

function mgf1(seed: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  const counter = Buffer.alloc(4);
  for (let i = 0; out.length * HASH_BYTES < length; i++) {
    counter.writeUInt32BE(i);
    out.push(createHash(HASH).update(seed).update(counter).digest());
  }
  return Buffer.concat(out).subarray(0, length);
}

function fromBytes(bytes: Uint8Array): bigint {
  return bytes.length ? BigInt(`0x${Buffer.from(bytes).toString('hex')}`) : 0n;
}

function toBytes(value: bigint, length: number): Buffer {
  return Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex');
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

function modInverse(a: bigint, modulus: bigint): bigint | null {
  let [oldR, r] = [a, modulus];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) return null;
  return ((oldS % modulus) + modulus) % modulus;
}

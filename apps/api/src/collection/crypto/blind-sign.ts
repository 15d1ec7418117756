// The server's half of RFC 9474 (BlindSign, section 4.3): s = m^d mod n on a blinded message
// from the browser, with node:crypto's raw RSA (about 1 ms; the pure-JS signer of
// @cloudflare/blindrsa-ts takes about 380 ms and must not be used here, anonymity.md 4.2).
//
// The self-check s^e mod n == m is mandatory: a fault in the CRT computation would otherwise
// hand out a value that reveals the private key's factors.

import { constants, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';

export type BlindSignFailure =
  /** The blinded message is not exactly the modulus length (256 bytes for RSA-2048). */
  | 'wrong_length'
  /** The blinded message, as a big-endian number, is not below the modulus. */
  | 'out_of_range'
  /** Not an RSA key, or OpenSSL refused the private-key operation. */
  | 'signing_failed'
  /** s^e mod n != m (a computation fault, or keys that are not a pair): s is withheld. */
  | 'self_check_failed';

export class BlindSignError extends Error {
  constructor(
    readonly code: BlindSignFailure,
    message: string,
  ) {
    super(message);
    this.name = 'BlindSignError';
  }
}

/** The modulus n as exactly k big-endian bytes, per public key (exporting a JWK costs ~µs). */
const moduli = new WeakMap<KeyObject, Buffer>();

function modulusOf(publicKey: KeyObject): Buffer {
  let n = moduli.get(publicKey);
  if (!n) {
    const bits = publicKey.asymmetricKeyDetails?.modulusLength;
    if (publicKey.type !== 'public' || publicKey.asymmetricKeyType !== 'rsa' || !bits) {
      throw new BlindSignError('signing_failed', 'not an RSA public key');
    }
    const k = Math.ceil(bits / 8);
    const jwkN = Buffer.from(publicKey.export({ format: 'jwk' }).n ?? '', 'base64url');
    n = Buffer.alloc(k);
    jwkN.copy(n, k - jwkN.length);
    moduli.set(publicKey, n);
  }
  return n;
}

/** Modulus length in bytes of a cell's public key (256 for RSA-2048). */
export function modulusBytes(publicKey: KeyObject): number {
  return modulusOf(publicKey).length;
}

/**
 * Blind-signs `blindedMessage` (RFC 9474 BlindSign): refuses a message that is not exactly the
 * modulus length or not below n, computes s = m^d mod n, and releases s only after checking
 * s^e mod n == m. Throws BlindSignError.
 */
export function blindSign(
  privateKey: KeyObject,
  publicKey: KeyObject,
  blindedMessage: Buffer,
): Buffer {
  const n = modulusOf(publicKey);
  if (blindedMessage.length !== n.length) {
    throw new BlindSignError('wrong_length', `blinded message must be ${n.length} bytes`);
  }
  // Equal lengths, big-endian: byte order is numeric order.
  if (Buffer.compare(blindedMessage, n) >= 0) {
    throw new BlindSignError('out_of_range', 'blinded message is not below the modulus');
  }
  let s: Buffer;
  try {
    s = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, blindedMessage);
  } catch (err) {
    throw new BlindSignError('signing_failed', `raw RSA failed: ${(err as Error).message}`);
  }
  let check: Buffer | undefined;
  try {
    check = publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, s);
  } catch {
    // s >= n of this public key: the keys do not match. Same outcome as a failed check.
  }
  if (!check?.equals(blindedMessage)) {
    throw new BlindSignError('self_check_failed', 'signature failed its self-check');
  }
  return s;
}

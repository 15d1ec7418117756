// Anonymous tokens as /submit sees them (anonymity.md 4.3 and "Wire formats"). The message
// binds a token to one wave, cell and key; its nonce is the token's identity. The browser sends
// the RFC 9474 prepared message (32 random bytes, then the UTF-8 message) and the finalized
// signature, which is an ordinary RSASSA-PSS signature (SHA-384, MGF1 SHA-384, 48-byte salt)
// over the prepared message.

import { constants, createHash, createVerify, type KeyObject } from 'node:crypto';
import { modulusBytes } from './blind-sign.ts';
import { base64urlLength, fromBase64urlStrict, SAFE_ID } from './encoding.ts';

export const TOKEN_PREFIX = 'teamspiegel/v1';
/** RFC 9474 randomized variant: prepare() puts this many random bytes before the message. */
export const PREPARE_RANDOM_BYTES = 32;
export const NONCE_BYTES = 32;
export const KEY_ID_BYTES = 16;
const PSS_SALT_BYTES = 48;

/** The fields of a token message. keyId and nonce are base64url (22 and 43 characters). */
export interface TokenFields {
  waveId: string;
  cellId: string;
  keyId: string;
  nonce: string;
}

const MAX_MESSAGE_BYTES =
  TOKEN_PREFIX.length + 2 * 36 + base64urlLength(KEY_ID_BYTES) + base64urlLength(NONCE_BYTES) + 4;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function fieldsAreValid({ waveId, cellId, keyId, nonce }: TokenFields): boolean {
  return (
    SAFE_ID.test(waveId) &&
    SAFE_ID.test(cellId) &&
    fromBase64urlStrict(keyId, KEY_ID_BYTES) !== null &&
    fromBase64urlStrict(nonce, NONCE_BYTES) !== null
  );
}

/** The token message `teamspiegel/v1|<waveId>|<cellId>|<keyId>|<nonce>` ("Wire formats"). */
export function tokenMessage(fields: TokenFields): string {
  if (!fieldsAreValid(fields)) throw new RangeError('invalid token fields');
  return [TOKEN_PREFIX, fields.waveId, fields.cellId, fields.keyId, fields.nonce].join('|');
}

/**
 * Reads the fields of a prepared message (32 random bytes, then the token message), or returns
 * null unless it is exactly one well-formed token message: the exact prefix, five fields, safe
 * ids, a 22-character key id and a 43-character nonce in canonical base64url, valid UTF-8.
 */
export function parsePreparedMessage(prepared: Buffer): TokenFields | null {
  if (!Buffer.isBuffer(prepared)) return null;
  if (prepared.length <= PREPARE_RANDOM_BYTES) return null;
  if (prepared.length > PREPARE_RANDOM_BYTES + MAX_MESSAGE_BYTES) return null;
  let text: string;
  try {
    text = utf8.decode(prepared.subarray(PREPARE_RANDOM_BYTES));
  } catch {
    return null;
  }
  const parts = text.split('|');
  if (parts.length !== 5 || parts[0] !== TOKEN_PREFIX) return null;
  const [, waveId = '', cellId = '', keyId = '', nonce = ''] = parts;
  const fields = { waveId, cellId, keyId, nonce };
  return fieldsAreValid(fields) ? fields : null;
}

/**
 * Checks a finalized token signature: RSASSA-PSS with SHA-384, MGF1 SHA-384 and a 48-byte salt
 * over the prepared message (RFC 9474 RSABSSA-SHA384-PSS-Randomized). False for anything else.
 */
export function verifyTokenSignature(
  publicKey: KeyObject,
  prepared: Buffer,
  signature: Buffer,
): boolean {
  try {
    if (signature.length !== modulusBytes(publicKey)) return false;
    // A Verify object, not crypto.verify(): the same check, measurably cheaper per call.
    return createVerify('sha384')
      .update(prepared)
      .verify(
        { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT_BYTES },
        signature,
      );
  } catch {
    return false;
  }
}

/**
 * Everything /submit must check about a token, in one place: the prepared message is a
 * well-formed token message; it names this wave and cell and the key id the server holds for
 * that cell (pass the stored key id, not the one the request claims); and the signature is
 * valid under that cell's key. Returns the token's fields, or null for any failure (the caller
 * answers all of them alike).
 */
export function verifyToken(options: {
  publicKey: KeyObject;
  keyId: string;
  waveId: string;
  cellId: string;
  prepared: Buffer;
  signature: Buffer;
}): TokenFields | null {
  const fields = parsePreparedMessage(options.prepared);
  if (
    !fields ||
    fields.waveId !== options.waveId ||
    fields.cellId !== options.cellId ||
    fields.keyId !== options.keyId
  ) {
    return null;
  }
  return verifyTokenSignature(options.publicKey, options.prepared, options.signature)
    ? fields
    : null;
}

/**
 * The spent-token key of a token: the first 16 bytes of SHA-256 over its nonce's 32 bytes.
 * The response row is stored under it, so a second submission with the same token finds it.
 */
export function spentTokenKey(nonce: string): Buffer {
  const bytes = fromBase64urlStrict(nonce, NONCE_BYTES);
  if (!bytes) throw new RangeError('nonce must be 32 bytes in base64url');
  return createHash('sha256').update(bytes).digest().subarray(0, 16);
}

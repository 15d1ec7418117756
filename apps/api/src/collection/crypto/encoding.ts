// Base64url without padding is the one encoding of binary values on the wire (anonymity.md,
// "Wire formats"). Buffer's 'base64url' decoder is lenient (it skips invalid characters and
// accepts padding), so values that arrive from outside go through the strict decoder: one
// value has exactly one accepted spelling, and a malformed one is refused rather than repaired.

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Wave and cell ids as they may appear in a key file's name and in a token message: no '|', '/'
 * or '.', at most 36 characters (the id columns' width; UUIDs fit).
 */
export const SAFE_ID = /^[A-Za-z0-9_-]{1,36}$/;

/** Encodes bytes as base64url without padding. */
export function toBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Decodes base64url from outside, or returns null when it is not the canonical unpadded
 * spelling of some bytes (padding, other characters, an impossible length, non-zero unused
 * bits) or, with `byteLength`, when it does not decode to exactly that many bytes.
 */
export function fromBase64urlStrict(text: string, byteLength?: number): Buffer | null {
  if (typeof text !== 'string' || !BASE64URL.test(text) || text.length % 4 === 1) return null;
  if (byteLength !== undefined && text.length !== base64urlLength(byteLength)) return null;
  // Rejects "AB" next to "AA": both decode to the same byte, only one is canonical. The last
  // character of a partial group carries unused low bits (4 after 2 characters, 2 after 3);
  // the canonical spelling has them zero. (Same test as re-encoding and comparing, cheaper.)
  const partial = text.length % 4;
  if (partial !== 0) {
    const unused = partial === 2 ? 0b1111 : 0b11;
    if (sextet(text.charCodeAt(text.length - 1)) & unused) return null;
  }
  return Buffer.from(text, 'base64url');
}

/** The 6-bit value of a base64url character already checked against BASE64URL. */
function sextet(code: number): number {
  if (code >= 65 && code <= 90) return code - 65; // A-Z
  if (code >= 97 && code <= 122) return code - 71; // a-z
  if (code >= 48 && code <= 57) return code + 4; // 0-9
  return code === 45 ? 62 : 63; // '-' or '_'
}

/** The length of the unpadded base64url text of `byteLength` bytes. */
export function base64urlLength(byteLength: number): number {
  return Math.ceil((byteLength * 4) / 3);
}

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
  const bytes = Buffer.from(text, 'base64url');
  // Rejects "AB" next to "AA": both decode to the same byte, only one is canonical.
  if (bytes.toString('base64url') !== text) return null;
  return bytes;
}

/** The length of the unpadded base64url text of `byteLength` bytes. */
export function base64urlLength(byteLength: number): number {
  return Math.ceil((byteLength * 4) / 3);
}

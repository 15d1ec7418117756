// The officer's anonymous token (anonymity.md 4.2-4.3, "Wire formats"). The browser prepares and
// blinds the token message, the logged-in API signs it blind, the browser finalizes it and then
// submits answers with it WITHOUT cookies. The server can link the token request to the person
// but never the finished token to the request.
//
// The finished token lives in sessionStorage only (never localStorage or a cookie: police
// stations share workstations), so the officer can replace their answers from the same tab
// during the wave. The blinding state lives in memory only; the answers are never stored.

import type { MyWave, SubmitBody } from '@teamspiegel/contracts';

export const TOKEN_PREFIX = 'teamspiegel/v1';
export const NONCE_BYTES = 32;
const KEY_ID_BYTES = 16;
const STORAGE_PREFIX = 'teamspiegel.pulse-token.';
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Every failure of the pulse client: the code is translated like any API error code. */
export class PulseError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = 'PulseError';
    this.code = code;
    this.status = status;
  }
}

/** Base64url without padding, the one encoding of binary values on the wire. */
export function toBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  if (!BASE64URL.test(text) || text.length % 4 === 1) {
    throw new PulseError('invalid_token', 0, 'not base64url');
  }
  const padded =
    text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** 32 random bytes: the token's identity (the server derives the spent-token key from it). */
export function randomNonce(): string {
  const bytes = new Uint8Array(NONCE_BYTES);
  crypto.getRandomValues(bytes);
  return toBase64url(bytes);
}

/** `teamspiegel/v1|<waveId>|<cellId>|<keyId>|<nonce>` */
export function tokenMessage(waveId: string, cellId: string, keyId: string, nonce: string): string {
  return [TOKEN_PREFIX, waveId, cellId, keyId, nonce].join('|');
}

/** A cell's key id: the first 16 bytes of SHA-256 over its SPKI DER, in base64url. */
export async function keyIdOf(spkiDer: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', spkiDer));
  return toBase64url(digest.subarray(0, KEY_ID_BYTES));
}

/** What a finished token holds: enough to submit (and resubmit) answers for one wave. */
export interface FinishedToken {
  waveId: string;
  cellId: string;
  keyId: string;
  /** The RFC 9474 prepared message (32 random bytes, then the token message), base64url. */
  message: string;
  /** The finalized signature, base64url. */
  signature: string;
}

export type WaveKey = Pick<MyWave, 'waveId' | 'cellId' | 'keyId' | 'publicKey'>;

/**
 * Prepares and blinds a fresh token message for the wave's cell key, has it signed blind by
 * `requestSignature` (the logged-in token request: blinded message in, blind signature out,
 * both base64url) and finalizes it. The key must match its key id, so a key the manifest does
 * not name is refused before anything is sent.
 */
export async function obtainToken(
  wave: WaveKey,
  requestSignature: (blindedMessage: string) => Promise<string>,
): Promise<FinishedToken> {
  const spki = fromBase64url(wave.publicKey);
  if ((await keyIdOf(spki)) !== wave.keyId) {
    throw new PulseError('invalid_token', 0, 'the public key does not match its key id');
  }
  // Loaded only when a token is needed: the answer page itself stays small.
  const { RSABSSA } = await import('@cloudflare/blindrsa-ts');
  const suite = RSABSSA.SHA384.PSS.Randomized();
  const publicKey = await crypto.subtle.importKey(
    'spki',
    spki,
    { name: 'RSA-PSS', hash: 'SHA-384' },
    true,
    ['verify'],
  );
  const message = tokenMessage(wave.waveId, wave.cellId, wave.keyId, randomNonce());
  const prepared = suite.prepare(new TextEncoder().encode(message));
  const { blindedMsg, inv } = await suite.blind(publicKey, prepared);
  const blindSignature = fromBase64url(await requestSignature(toBase64url(blindedMsg)));
  let signature: Uint8Array;
  try {
    signature = await suite.finalize(publicKey, prepared, blindSignature, inv);
  } catch {
    throw new PulseError('invalid_token', 0, 'the blind signature does not verify');
  }
  return {
    waveId: wave.waveId,
    cellId: wave.cellId,
    keyId: wave.keyId,
    message: toBase64url(prepared),
    signature: toBase64url(signature),
  };
}

type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface TokenStore {
  load(waveId: string): FinishedToken | null;
  save(token: FinishedToken): void;
  forget(waveId: string): void;
}

function isFinishedToken(value: unknown, waveId: string): value is FinishedToken {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    record.waveId === waveId &&
    ['cellId', 'keyId', 'message', 'signature'].every(
      (field) => typeof record[field] === 'string' && record[field] !== '',
    )
  );
}

function sessionStorageOrNull(): KeyValueStorage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

/**
 * Finished tokens keyed by wave, in this tab's sessionStorage (or the storage given, for tests).
 * Without storage the token lives only as long as the page: still anonymous, just not reusable.
 */
export function tokenStore(storage: KeyValueStorage | null = sessionStorageOrNull()): TokenStore {
  const memory = new Map<string, FinishedToken>();
  return {
    load(waveId) {
      try {
        const raw = storage?.getItem(STORAGE_PREFIX + waveId);
        if (raw) {
          const parsed: unknown = JSON.parse(raw);
          if (isFinishedToken(parsed, waveId)) return parsed;
        }
      } catch {
        // Unreadable or blocked storage: fall back to this page's memory.
      }
      return memory.get(waveId) ?? null;
    },
    save(token) {
      memory.set(token.waveId, token);
      try {
        storage?.setItem(STORAGE_PREFIX + token.waveId, JSON.stringify(token));
      } catch {
        // Storage full or blocked: the token still works while this page is open.
      }
    },
    forget(waveId) {
      memory.delete(waveId);
      try {
        storage?.removeItem(STORAGE_PREFIX + waveId);
      } catch {
        // Nothing to forget.
      }
    },
  };
}

export type Answer = SubmitBody['answers'][number];

export const SUBMIT_PATH = '/submit/v1/responses';

/**
 * Sends the answers with the token, anonymously: plain fetch, no cookies, no CSRF header, no
 * referrer. Resolves on the one accepted answer (202 `{ status: 'received' }`), for a first
 * submission and a replacement alike; throws a PulseError with the API's code otherwise.
 * `submitOrigin` (from GET /me/waves) is where the server takes answers when /submit has an
 * origin of its own (anonymity.md 4.3); without it, the page's own origin.
 */
export async function submitResponse(
  token: FinishedToken,
  answers: readonly Answer[],
  comment: string,
  fetcher: typeof fetch = fetch,
  submitOrigin?: string,
): Promise<void> {
  const trimmed = comment.trim();
  const body: SubmitBody = {
    waveId: token.waveId,
    cellId: token.cellId,
    keyId: token.keyId,
    message: token.message,
    signature: token.signature,
    answers: [...answers],
    ...(trimmed ? { comment: trimmed } : {}),
  };
  let response: Response;
  try {
    response = await fetcher(`${submitOrigin ?? ''}${SUBMIT_PATH}`, {
      method: 'POST',
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    throw new PulseError('network_error', 0, 'Network request failed');
  }
  if (response.status === 202) return;
  let code = response.status >= 500 ? 'internal_error' : 'unknown_error';
  let message = response.statusText;
  try {
    const parsed: unknown = await response.json();
    if (typeof parsed === 'object' && parsed !== null && 'code' in parsed) {
      if (typeof parsed.code === 'string') code = parsed.code;
      if ('message' in parsed && typeof parsed.message === 'string') message = parsed.message;
    }
  } catch {
    // Not JSON: the status decides.
  }
  throw new PulseError(code, response.status, message);
}

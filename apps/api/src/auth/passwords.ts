import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** OWASP's Argon2id baseline: 19 MiB, 2 passes, 1 lane (about 20 ms here). */
// `algorithm: 2` is Algorithm.Argon2id (an ambient const enum, not importable as a value here).
const ARGON2ID = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(plain: string): Promise<string> {
  return hash(plain, ARGON2ID);
}

export async function verifyPassword(storedHash: string, plain: string): Promise<boolean> {
  try {
    return await verify(storedHash, plain);
  } catch {
    return false;
  }
}

/**
 * A hash of a random password, verified against when the username is unknown, so an unknown
 * user and a wrong password take the same time and get the same answer.
 */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(24).toString('base64url'));
  return decoyHash;
}

/** A one-time password for a new account, shown once to the administrator. */
export function temporaryPassword(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * Login throttling (ASVS 2.2.1): a growing delay after repeated failures, never a hard
 * lockout, so an attacker cannot lock a colleague out for long (attack A29).
 */
export interface ThrottlePolicy {
  /** Failures allowed before any delay. */
  freeFailures: number;
  /** Delay after the first counted failure; doubles with each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Per account: a person typing a wrong password a few times is never slowed down much. */
export const ACCOUNT_THROTTLE: ThrottlePolicy = {
  freeFailures: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
};
/** Per client address: a shared station gateway gets more room, a sprayer is slowed hard. */
export const ADDRESS_THROTTLE: ThrottlePolicy = {
  freeFailures: 20,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
};

/** How long to wait after the last failure before another attempt is considered. */
export function throttleDelayMs(failures: number, policy: ThrottlePolicy): number {
  if (failures <= policy.freeFailures) return 0;
  const exponent = Math.min(failures - policy.freeFailures - 1, 30);
  return Math.min(policy.baseDelayMs * 2 ** exponent, policy.maxDelayMs);
}

/** Milliseconds still to wait, 0 when an attempt may go ahead. */
export function remainingWaitMs(
  state: { failures: number; lastFailureAt: number } | undefined,
  policy: ThrottlePolicy,
  now: number,
): number {
  if (!state) return 0;
  return Math.max(0, state.lastFailureAt + throttleDelayMs(state.failures, policy) - now);
}

export const MIN_PASSWORD_LENGTH = 12;

export type PasswordProblem = 'too_short' | 'contains_username' | 'same_as_current';

/** ASVS 6.2: length over composition rules; no reuse of the current password or the username. */
export function passwordProblem(input: {
  password: string;
  username: string;
  currentPassword?: string;
}): PasswordProblem | null {
  if ([...input.password].length < MIN_PASSWORD_LENGTH) return 'too_short';
  if (input.password.toLowerCase().includes(input.username.toLowerCase()))
    return 'contains_username';
  if (input.currentPassword !== undefined && input.password === input.currentPassword) {
    return 'same_as_current';
  }
  return null;
}

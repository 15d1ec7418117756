import type { RosterChangePending } from '@teamspiegel/contracts';

/**
 * Whether an answer is the 202 of a change to a roster frozen by a wave: proposed, waiting for a
 * second administrator, nothing changed yet.
 */
export function isPendingApproval(value: unknown): value is RosterChangePending {
  return (
    typeof value === 'object' &&
    value !== null &&
    'status' in value &&
    value.status === 'pending_approval'
  );
}

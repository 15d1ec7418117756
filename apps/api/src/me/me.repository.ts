import type { MeResponse } from '@teamspiegel/contracts';
import type { Actor } from '../access.repository.ts';

/** What a person sees of themselves: everything comes from the actor loaded for this request. */
export function toMe(actor: Actor): MeResponse {
  return {
    person: actor.person,
    username: actor.username,
    mustChangePassword: actor.mustChangePassword,
    roles: actor.grants.map(({ role, unitId, unitName, unitKind }) => ({
      role,
      unitId,
      unitName,
      unitKind,
    })),
    permissions: actor.permissions,
  };
}

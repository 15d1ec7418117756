import { error, redirect } from '@sveltejs/kit';
import type { Permission } from '@teamspiegel/contracts';
import { ApiError } from './api.ts';
import { session } from './session.svelte.ts';
import { loginUrl } from './paths.ts';

/** Pages behind a permission show the no-access page before asking the API for anything. */
export function requirePermission(permission: Permission): void {
  if (!session.can(permission)) error(403, { message: 'forbidden', code: 'forbidden' });
}

/** Runs a page's API calls and turns failures into SvelteKit errors or a login redirect. */
export async function loadOrFail<T>(url: URL, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof ApiError) {
      if (e.status === 401) redirect(303, loginUrl(url.pathname + url.search));
      const status = e.status >= 400 && e.status < 600 ? e.status : 503;
      error(status, { message: e.message, code: e.code });
    }
    throw e;
  }
}

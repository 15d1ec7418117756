import { redirect } from '@sveltejs/kit';
import { loadSession } from '$lib/auth';
import { loginUrl } from '$lib/paths';
import type { LayoutLoad } from './$types';

export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';

export const load: LayoutLoad = async ({ url }) => {
  const me = await loadSession();
  const path = url.pathname;
  if (!me) {
    if (path !== '/login') redirect(307, loginUrl(path + url.search));
    return {};
  }
  if (me.mustChangePassword && path !== '/account/password') redirect(307, '/account/password');
  return {};
};

import type { Language, MeResponse } from '@teamspiegel/contracts';
import { api, ApiError, forgetCsrfToken } from './api.ts';
import { session } from './session.svelte.ts';

/** Loads the session once per page load; a 401 just means "not logged in". */
export async function loadSession(): Promise<MeResponse | null> {
  if (session.loaded) return session.me;
  try {
    const me = await api.get<MeResponse>('/me', { noRedirect: true });
    session.set(me);
    return me;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      session.clear();
      return null;
    }
    throw error;
  }
}

export async function login(username: string, password: string): Promise<MeResponse> {
  const me = await api.post<MeResponse>(
    '/auth/login',
    { username, password },
    { noRedirect: true },
  );
  forgetCsrfToken();
  session.set(me);
  return me;
}

export async function logout(): Promise<void> {
  try {
    await api.post<undefined>('/auth/logout', undefined, { noRedirect: true });
  } finally {
    forgetCsrfToken();
    session.clear();
  }
}

export async function changeLanguage(language: Language): Promise<void> {
  const me = await api.put<MeResponse>('/me/language', { language });
  session.set(me);
}

export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  await api.post<undefined>('/auth/password', { currentPassword, newPassword });
  // The server may regenerate the session on a password change; refresh what we know.
  forgetCsrfToken();
  const me = await api.get<MeResponse>('/me');
  session.set(me);
}

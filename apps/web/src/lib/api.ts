import { goto } from '$app/navigation';
import { resolve } from '$app/paths';
import { page } from '$app/state';
import type { ErrorCode } from '@teamspiegel/contracts';
import type { ClientErrorCode } from './i18n/errors.ts';
import { session } from './session.svelte.ts';
import { loginUrl } from './paths.ts';

export type ApiErrorCode = ErrorCode | ClientErrorCode;

/** Every failure of an API call: the stable code decides what the user reads. */
export class ApiError extends Error {
  readonly code: ApiErrorCode | (string & {});
  readonly status: number;

  constructor(code: ApiErrorCode | (string & {}), status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  /** Do not redirect to the login page on 401 (the caller deals with it). */
  noRedirect?: boolean;
  query?: Record<string, string | number | boolean | undefined | null>;
}

const BASE = '/api/v1';
let csrfToken: string | null = null;

async function fetchCsrfToken(): Promise<string> {
  const body = await send<{ token: string }>('GET', '/auth/csrf', undefined, { noRedirect: true });
  csrfToken = body.token;
  return csrfToken;
}

/** The session (and its CSRF secret) is regenerated at login and logout. */
export function forgetCsrfToken(): void {
  csrfToken = null;
}

function buildUrl(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return `${BASE}${path}${qs ? `?${qs}` : ''}`;
}

function loginPath(): string {
  return loginUrl(page.url.pathname + page.url.search);
}

async function readError(response: Response): Promise<ApiError> {
  try {
    const body: unknown = await response.json();
    if (
      typeof body === 'object' &&
      body !== null &&
      'code' in body &&
      typeof body.code === 'string'
    ) {
      const message =
        'message' in body && typeof body.message === 'string' ? body.message : body.code;
      return new ApiError(body.code, response.status, message);
    }
  } catch {
    // Not JSON: fall through to a code derived from the status.
  }
  const code = response.status >= 500 ? 'internal_error' : 'unknown_error';
  return new ApiError(code, response.status, response.statusText);
}

async function send<T>(
  method: Method,
  path: string,
  body: unknown,
  options: RequestOptions,
  retried = false,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const changesState = method !== 'GET';
  // A FormData body sets its own multipart content type (with the boundary).
  const form = body instanceof FormData;
  if (body !== undefined && !form) headers['content-type'] = 'application/json';
  if (changesState) headers['x-csrf-token'] = csrfToken ?? (await fetchCsrfToken());

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? null : form ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError('network_error', 0, 'Network request failed');
  }

  if (response.ok) {
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  const error = await readError(response);
  if (error.status === 403 && error.code === 'csrf_invalid' && changesState && !retried) {
    forgetCsrfToken();
    return send<T>(method, path, body, options, true);
  }
  if (
    error.status === 401 &&
    (error.code === 'unauthenticated' || error.code === 'session_expired')
  ) {
    session.clear();
    forgetCsrfToken();
    // eslint-disable-next-line svelte/no-navigation-without-resolve -- loginUrl() builds a checked same-site path
    if (!options.noRedirect) void goto(loginPath());
  }
  if (error.code === 'password_change_required' && !options.noRedirect)
    void goto(resolve('/account/password'));
  throw error;
}

export const api = {
  get: <T>(path: string, options: RequestOptions = {}) => send<T>('GET', path, undefined, options),
  post: <T>(path: string, body?: unknown, options: RequestOptions = {}) =>
    send<T>('POST', path, body ?? {}, options),
  put: <T>(path: string, body: unknown, options: RequestOptions = {}) =>
    send<T>('PUT', path, body, options),
  /** Files and fields as multipart/form-data (uploads), with the same CSRF handling. */
  postForm: <T>(path: string, form: FormData, options: RequestOptions = {}) =>
    send<T>('POST', path, form, options),
  patch: <T>(path: string, body: unknown, options: RequestOptions = {}) =>
    send<T>('PATCH', path, body, options),
  delete: <T>(path: string, options: RequestOptions = {}) =>
    send<T>('DELETE', path, undefined, options),
};

/** Only same-site paths are followed after login, never an absolute or protocol-relative URL. */
export function safeReturnPath(value: string | null): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\'))
    return '/';
  if (value === '/login' || value.startsWith('/login?') || value.startsWith('/login/')) return '/';
  return value;
}

export function loginUrl(returnTo: string): string {
  const safe = safeReturnPath(returnTo);
  return safe === '/' ? '/login' : `/login?returnTo=${encodeURIComponent(safe)}`;
}

/** Appends the non-empty parameters as a query string. */
export function withQuery(path: string, params: Record<string, string | undefined>): string {
  const qs = new URLSearchParams(
    Object.entries(params).filter((entry): entry is [string, string] => Boolean(entry[1])),
  ).toString();
  return qs ? `${path}?${qs}` : path;
}

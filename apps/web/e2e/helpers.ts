import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export const DEMO_PASSWORD = process.env.TEAMSPIEGEL_DEMO_PASSWORD ?? 'demo-password-for-tests';

export type DemoAccount =
  'demo-admin' | 'demo-hr' | 'demo-chief' | 'demo-lead' | 'demo-officer' | 'demo-council';

/** Logs in through the form, as a person would; the home page is shown afterwards. */
export async function login(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByLabel(/^(Gebruikersnaam|Username)$/).fill(username);
  await page.getByLabel(/^(Wachtwoord|Password)$/).fill(password);
  await page.getByRole('button', { name: /^(Inloggen|Log in)$/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: /^(Welkom|Welcome), / })).toBeVisible();
}

export async function logout(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^(Uitloggen|Log out)$/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: /^(Inloggen|Log in)$/ })).toBeVisible();
}

/** Collects CSP violations and uncaught errors so a spec can assert the page ran cleanly. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  return problems;
}

export interface NewAccount {
  givenName: string;
  name: string;
  username: string;
  temporaryPassword: string;
}

/**
 * As demo-admin, creates a person and an account for them through the admin pages, then logs
 * out. `stamp` keeps the employee number and username unique per run.
 */
export async function createPersonWithAccount(page: Page, stamp: string): Promise<NewAccount> {
  const givenName = 'Nina';
  const name = `${givenName} Nieuw${stamp}`;
  const username = `nieuw.${stamp.toLowerCase()}`;
  await login(page, 'demo-admin');
  await page.goto('/admin/people/new');
  await page.getByLabel('Personeelsnummer').fill(`NEW-${stamp}`);
  await page.getByLabel('E-mailadres').fill(`${username}@example.org`);
  await page.getByLabel('Voornaam').fill(givenName);
  await page.getByLabel('Achternaam').fill(`Nieuw${stamp}`);
  await page.getByRole('button', { name: 'Persoon opslaan' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();

  const account = page.getByRole('region', { name: 'Account' });
  await account.getByLabel('Gebruikersnaam').fill(username);
  await account.getByRole('button', { name: 'Account aanmaken' }).click();
  const shown = account.getByTestId('temporary-password');
  await expect(shown).not.toBeEmpty();
  const temporaryPassword = (await shown.innerText()).trim();
  await logout(page);
  return { givenName, name, username, temporaryPassword };
}

/**
 * Logs in with a temporary password: the app sends you to the password page first, and after the
 * change to the home page.
 */
export async function firstLogin(page: Page, account: NewAccount, newPassword: string) {
  await page.getByLabel('Gebruikersnaam').fill(account.username);
  await page.getByLabel('Wachtwoord').fill(account.temporaryPassword);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await expect(page).toHaveURL(/\/account\/password$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Wachtwoord wijzigen' })).toBeVisible();

  await page.getByLabel('Huidig wachtwoord').fill(account.temporaryPassword);
  await page.getByLabel('Nieuw wachtwoord', { exact: true }).fill(newPassword);
  await page.getByLabel('Herhaal nieuw wachtwoord').fill(newPassword);
  await page.getByRole('button', { name: 'Wachtwoord wijzigen' }).click();
  await expect(
    page.getByRole('heading', { level: 1, name: `Welkom, ${account.givenName}` }),
  ).toBeVisible();
}

/** No serious or critical WCAG 2.x A/AA violations on the page as it is now. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map(
      (v) => `${label}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    ),
  ).toEqual([]);
}

/** JSON calls to the API with the page's session, as the web app makes them (CSRF and Origin). */
export interface Api {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, data?: unknown): Promise<T>;
}

/**
 * The API as whoever is logged in on `page` (same cookies). State-changing calls carry the CSRF
 * header and the app's Origin; any answer other than 2xx fails the test with its body.
 */
export async function apiFor(page: Page): Promise<Api> {
  const origin = new URL(page.url()).origin;
  const csrf = await page.request.get('/api/v1/auth/csrf');
  expect(csrf.status(), await csrf.text()).toBe(200);
  const { token } = (await csrf.json()) as { token: string };
  const check = async <T>(what: string, res: Awaited<ReturnType<Page['request']['get']>>) => {
    expect(res.ok(), `${what}: HTTP ${res.status()} ${await res.text()}`).toBe(true);
    return (await res.json()) as T;
  };
  return {
    get: async <T>(path: string) =>
      check<T>(`GET ${path}`, await page.request.get(`/api/v1${path}`)),
    post: async <T>(path: string, data?: unknown) =>
      check<T>(
        `POST ${path}`,
        await page.request.post(`/api/v1${path}`, {
          headers: { 'x-csrf-token': token, origin },
          ...(data === undefined ? {} : { data }),
        }),
      ),
  };
}

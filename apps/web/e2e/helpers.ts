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

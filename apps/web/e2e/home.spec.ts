import { expect, test } from '@playwright/test';
import { login, logout, type DemoAccount } from './helpers.ts';

// Each demo account sees a section whose h2 names its role. Names are matched in all three
// languages because the page follows the person's own language setting.
const ROLE_HEADINGS: Record<DemoAccount, RegExp> = {
  'demo-admin': /^(Beheer|Administration)$/,
  'demo-hr': /^(HR en diversiteit|HR and diversity)$/,
  'demo-chief': /^(Chef|Diensthoofd|Chief)$/,
  'demo-lead': /^(Leidinggevende|Teamchef|Team lead)$/,
  'demo-officer': /^(Medewerker|Officer)$/,
  'demo-council':
    /^(Ondernemingsraad en privacy|Overlegcomité en privacy|Works council and privacy)$/,
};

for (const [account, heading] of Object.entries(ROLE_HEADINGS) as [DemoAccount, RegExp][]) {
  test(`${account} logs in, sees the home page for their role and logs out`, async ({ page }) => {
    await login(page, account);
    await expect(page.getByRole('heading', { level: 2, name: heading })).toBeVisible();
    await logout(page);
    // After logout the session is gone: the home page sends you back to the login form.
    await page.goto('/');
    await expect(page).toHaveURL(/\/login/);
  });
}

test('a wrong password gives a readable message and no session', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Gebruikersnaam').fill('demo-admin');
  await page.getByLabel('Wachtwoord').fill('not-the-password');
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await expect(page.getByRole('alert')).toContainText(
    'De gebruikersnaam of het wachtwoord klopt niet.',
  );
  await expect(page).toHaveURL(/\/login/);
});

test('the language picker on the login page switches the interface to English', async ({
  page,
}) => {
  await page.goto('/login');
  await page.getByLabel('Taal').selectOption('en');
  await expect(page.getByRole('heading', { level: 1, name: 'Log in' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Log in' })).toBeVisible();
  await page.getByLabel('Language').selectOption('nl');
  await expect(page.getByRole('heading', { level: 1, name: 'Inloggen' })).toBeVisible();
});

test('after login you land on the page you asked for', async ({ page }) => {
  await page.goto('/admin/audit');
  await expect(page).toHaveURL(/\/login\?returnTo=%2Fadmin%2Faudit/);
  await page.getByLabel('Gebruikersnaam').fill('demo-admin');
  await page
    .getByLabel('Wachtwoord')
    .fill(process.env.TEAMSPIEGEL_DEMO_PASSWORD ?? 'demo-password-for-tests');
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await expect(
    page.getByRole('heading', { level: 1, name: /^(Auditlog|Audit log)$/ }),
  ).toBeVisible();
});

test('an unknown page shows a not-found message', async ({ page }) => {
  await login(page, 'demo-officer');
  await page.goto('/does-not-exist');
  await expect(
    page.getByRole('heading', { level: 1, name: /^(Pagina niet gevonden|Page not found)$/ }),
  ).toBeVisible();
});

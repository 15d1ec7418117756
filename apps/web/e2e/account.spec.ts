import { expect, test } from '@playwright/test';
import { createPersonWithAccount, firstLogin } from './helpers.ts';

const NEW_PASSWORD = 'a-new-password-for-e2e';

test('a person with a temporary password must change it before reaching the home page', async ({
  page,
}) => {
  const account = await createPersonWithAccount(page, Date.now().toString(36).toUpperCase());

  // Before the change, any page sends them back to the password page.
  await page.getByLabel('Gebruikersnaam').fill(account.username);
  await page.getByLabel('Wachtwoord').fill(account.temporaryPassword);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await expect(page).toHaveURL(/\/account\/password$/);
  await expect(page.getByRole('status')).toContainText('Kies eerst een eigen wachtwoord.');
  await page.goto('/');
  await expect(page).toHaveURL(/\/account\/password$/);

  // A repeat that does not match is caught in the form.
  await page.getByLabel('Huidig wachtwoord').fill(account.temporaryPassword);
  await page.getByLabel('Nieuw wachtwoord', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Herhaal nieuw wachtwoord').fill(`${NEW_PASSWORD}x`);
  await page.getByRole('button', { name: 'Wachtwoord wijzigen' }).click();
  await expect(page.getByText('De twee nieuwe wachtwoorden zijn niet gelijk.')).toBeVisible();

  await page.getByLabel('Herhaal nieuw wachtwoord').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Wachtwoord wijzigen' }).click();
  await expect(
    page.getByRole('heading', { level: 1, name: `Welkom, ${account.givenName}` }),
  ).toBeVisible();

  // The change stuck: a fresh load stays on the home page, and the new password logs in.
  await page.reload();
  await expect(
    page.getByRole('heading', { level: 1, name: `Welkom, ${account.givenName}` }),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Uitloggen' }).click();
  await page.getByLabel('Gebruikersnaam').fill(account.username);
  await page.getByLabel('Wachtwoord').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await expect(
    page.getByRole('heading', { level: 1, name: `Welkom, ${account.givenName}` }),
  ).toBeVisible();
});

test('the language switch in the header changes the interface to English and back', async ({
  page,
}) => {
  // A person of their own, so a failure half-way never leaves a shared demo account in English.
  const account = await createPersonWithAccount(page, Date.now().toString(36).toUpperCase());
  await page.goto('/login');
  await firstLogin(page, account, NEW_PASSWORD);
  const header = page.getByRole('banner');

  await header.getByLabel('Taal').selectOption('en');
  await expect(
    page.getByRole('heading', { level: 1, name: `Welcome, ${account.givenName}` }),
  ).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Main menu' });
  await expect(nav.getByRole('link', { name: 'Home' })).toBeVisible();
  await expect(header.getByRole('button', { name: 'Log out' })).toBeVisible();

  // Saved on the person, so it holds after a fresh load.
  await page.reload();
  await expect(
    page.getByRole('heading', { level: 1, name: `Welcome, ${account.givenName}` }),
  ).toBeVisible();

  await header.getByLabel('Language').selectOption('nl');
  await expect(
    page.getByRole('heading', { level: 1, name: `Welkom, ${account.givenName}` }),
  ).toBeVisible();
  await expect(
    page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Start' }),
  ).toBeVisible();
  await page.reload();
  await expect(
    page.getByRole('heading', { level: 1, name: `Welkom, ${account.givenName}` }),
  ).toBeVisible();
});

import { expect, test } from '@playwright/test';
import { login, watchConsole } from './helpers.ts';

// Journey 4 ("Run the programme") as far as the web app goes here. The shared demo wave stays
// open: closing and tallying are covered by the API tests.

test('an administrator sees the open demo wave, its groups with key ids, and its preview in English', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await login(page, 'demo-admin');
  const problems = watchConsole(page);
  await page
    .getByRole('navigation', { name: 'Hoofdmenu' })
    .getByRole('link', { name: 'Metingen' })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'Metingen' })).toBeVisible();

  const table = page.getByRole('table', { name: 'Metingen, nieuwste eerst' });
  const row = table.getByRole('row').filter({ hasText: 'Politie Nederland (demo)' }).first();
  await expect(row).toBeVisible();
  // Keys may still be generated right after the server started.
  await expect(row.getByText('Open', { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(row.getByRole('button', { name: /sluiten$/ })).toBeVisible();

  await row.getByRole('link').first().click();
  await expect(page.getByRole('heading', { level: 1, name: /meting \d+$/ })).toBeVisible();
  const cells = page.getByRole('table', { name: 'Groepen van deze meting' });
  await expect(cells.getByRole('row').nth(1)).toBeVisible();
  const keyIds = cells.locator('code');
  expect(await keyIds.count()).toBeGreaterThan(0);
  await expect(keyIds.first()).toHaveText(/^[A-Za-z0-9_-]{22}$/);
  await expect(page.getByText(/groep van voldoende grootte/)).toBeVisible();

  await page.getByRole('link', { name: 'Voorbeeld bekijken' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /^Voorbeeld: / })).toBeVisible();
  await page.getByLabel('Taal van het voorbeeld').selectOption('en');
  await expect(page).toHaveURL(/language=en/);
  const view = page.getByTestId('officer-view');
  await expect(view.getByRole('group', { name: /^Question 1 of \d+/ })).toBeVisible();
  await expect(view.getByRole('heading', { name: 'Who sees what' })).toBeVisible();
  await expect(view.getByRole('radio', { name: 'Strongly agree' }).first()).toBeVisible();
  // A preview cannot be sent.
  await expect(page.getByRole('button', { name: /Send answers|Antwoorden versturen/ })).toHaveCount(
    0,
  );
  await expect(page.getByText('Dit is een voorbeeld: versturen kan hier niet.')).toBeVisible();
  expect(problems).toEqual([]);
});

test('an administrator sees the programmes and the item bank', async ({ page }) => {
  await login(page, 'demo-admin');
  await page.goto('/admin/programmes');
  await expect(page.getByRole('heading', { level: 1, name: 'Programma’s' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Programma’s' })).toContainText(
    'Politie Nederland (demo)',
  );
  const root = page.getByLabel('Organisatie');
  // Only top-level units can carry a programme.
  const options = await root.locator('option').allInnerTexts();
  expect(options.slice(1).every((o) => /\((Korps|Zone)\)$/.test(o))).toBe(true);

  await page.goto('/admin/items');
  await expect(page.getByRole('heading', { level: 1, name: 'Vragenbank' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Psychologische veiligheid' })).toBeVisible();
  await expect(
    page.getByRole('table', { name: 'Vragen over Psychologische veiligheid' }),
  ).toContainText('ps.raise_problems');
});

test('a programme form sent empty says what is missing in Dutch, not the browser', async ({
  page,
}) => {
  await login(page, 'demo-admin');
  await page.goto('/admin/programmes');
  await expect(page.getByRole('table', { name: 'Programma’s' })).toBeVisible();
  const rows = await page.getByRole('table', { name: 'Programma’s' }).getByRole('row').count();
  const form = page.locator('#programme-create form');
  // The app checks the form itself: no browser tooltip in the browser's own language.
  await expect(form).toHaveAttribute('novalidate', '');
  // demo-admin runs two organisations, so the choice is left to them.
  await expect(page.getByLabel('Organisatie')).toHaveValue('');
  await page.getByRole('button', { name: 'Programma aanmaken' }).click();
  const alert = page.locator('#programme-create').getByRole('alert');
  await expect(alert).toContainText('Kies een organisatie.');
  await expect(alert).toContainText('Geef het programma een naam.');
  await expect(page.getByLabel('Organisatie')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Naam', { exact: true })).toHaveAccessibleDescription(
    'Geef het programma een naam.',
  );
  await expect(page.getByRole('table', { name: 'Programma’s' }).getByRole('row')).toHaveCount(rows);
});

test('an officer has no access to the wave administration', async ({ page }) => {
  await login(page, 'demo-officer');
  await expect(
    page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Metingen' }),
  ).toHaveCount(0);
  await page.goto('/admin/waves');
  await expect(page.getByRole('heading', { level: 1, name: 'Geen toegang' })).toBeVisible();
});

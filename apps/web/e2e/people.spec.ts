import { expect, test } from '@playwright/test';
import { login } from './helpers.ts';
import { approveAsSecondAdmin, WAITS_FOR_SECOND_ADMIN } from './roster-support.ts';

// The demo's organisations each run a wave, so each membership change waits for a second
// administrator (roster freeze) and is seen after their approval.
test('an administrator creates a person, adds them to a team and then makes them its lead', async ({
  page,
  browser,
}) => {
  const stamp = Date.now().toString(36).toUpperCase();
  const employeeNumber = `E2E-${stamp}`;
  const familyName = `Testpersoon${stamp}`;

  await login(page, 'demo-admin');
  await page
    .getByRole('navigation', { name: 'Hoofdmenu' })
    .getByRole('link', { name: 'Personen' })
    .click();
  await page.getByRole('link', { name: 'Persoon toevoegen' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Persoon toevoegen' })).toBeVisible();

  await page.getByLabel('Personeelsnummer').fill(employeeNumber);
  await page.getByLabel('E-mailadres').fill(`e2e.${stamp.toLowerCase()}@example.org`);
  await page.getByLabel('Voornaam').fill('Eva');
  await page.getByLabel('Achternaam').fill(familyName);
  await page.getByRole('button', { name: 'Persoon opslaan' }).click();

  await expect(page.getByRole('heading', { level: 1, name: `Eva ${familyName}` })).toBeVisible();
  await expect(page.getByText(`Eva ${familyName} is toegevoegd.`)).toBeVisible();
  const memberships = page.getByRole('region', { name: 'Lidmaatschappen' });
  await expect(memberships.getByText('Nog geen lidmaatschappen.')).toBeVisible();

  // Member of a team since the start of last year.
  await memberships.getByLabel('Zoek eenheid').fill('Noodhulp A');
  const unitSelect = memberships.getByLabel('Eenheid', { exact: true });
  await unitSelect.selectOption({ index: 1 });
  const unitId = await unitSelect.inputValue();
  expect(unitId).not.toBe('');
  await memberships.getByLabel('Rol in de eenheid').selectOption('member');
  const lastYear = new Date().getFullYear() - 1;
  await memberships.getByLabel('Vanaf').fill(`${lastYear}-01-02`);
  await memberships.getByRole('button', { name: 'Lidmaatschap toevoegen' }).click();
  await expect(memberships.getByRole('status')).toContainText(WAITS_FOR_SECOND_ADMIN);
  await approveAsSecondAdmin(browser, `Eva ${familyName}`);
  await page.reload();
  const rows = memberships.getByRole('table').getByRole('row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText('Noodhulp A');
  await expect(rows.nth(1)).toContainText('Lid');

  // The same team, now as its lead from today: the member period ends the same day.
  await memberships.getByLabel('Zoek eenheid').fill('Noodhulp A');
  await unitSelect.selectOption(unitId);
  await memberships.getByLabel('Rol in de eenheid').selectOption('lead');
  const today = new Date();
  const iso = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  await memberships.getByLabel('Vanaf').fill(iso);
  await memberships.getByRole('button', { name: 'Lidmaatschap toevoegen' }).click();
  await expect(memberships.getByRole('status')).toContainText(WAITS_FOR_SECOND_ADMIN);
  await approveAsSecondAdmin(browser, `Eva ${familyName}`);

  // Seen on the person page after a fresh load, not just in the local state.
  await page.reload();
  const reloaded = page.getByRole('region', { name: 'Lidmaatschappen' });
  const leadRow = reloaded.getByRole('row').filter({ hasText: 'Leidinggevende' });
  await expect(leadRow).toHaveCount(1);
  await expect(leadRow).toContainText('Noodhulp A');
  await expect(leadRow).toContainText('Huidig');

  // And the unit page lists them with the lead badge.
  await leadRow.getByRole('link', { name: /Noodhulp A/ }).click();
  const members = page.getByRole('region', { name: 'Huidige leden' });
  await expect(members.getByRole('row').filter({ hasText: familyName })).toContainText(
    'Leidinggevende',
  );
});

test('an administrator creates an account and sees the temporary password once', async ({
  page,
}) => {
  const stamp = Date.now().toString(36);
  await login(page, 'demo-admin');
  await page.goto('/admin/people/new');
  await page.getByLabel('Personeelsnummer').fill(`ACC-${stamp}`);
  await page.getByLabel('E-mailadres').fill(`acc.${stamp}@example.org`);
  await page.getByLabel('Voornaam').fill('Ali');
  await page.getByLabel('Achternaam').fill(`Account${stamp}`);
  await page.getByRole('button', { name: 'Persoon opslaan' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Ali Account${stamp}` })).toBeVisible();

  const account = page.getByRole('region', { name: 'Account' });
  await account.getByLabel('Gebruikersnaam').fill(`acc.${stamp}`);
  await account.getByRole('button', { name: 'Account aanmaken' }).click();
  await expect(account.getByText(`Tijdelijk wachtwoord voor acc.${stamp}`)).toBeVisible();
  await expect(account.getByTestId('temporary-password')).not.toBeEmpty();

  await page.reload();
  await expect(
    page.getByRole('region', { name: 'Account' }).getByTestId('temporary-password'),
  ).toHaveCount(0);
});

test('searching people narrows the list', async ({ page }) => {
  await login(page, 'demo-admin');
  await page.goto('/admin/people');
  await page.getByRole('searchbox', { name: 'Zoeken' }).fill('zzzz-nobody-has-this-name');
  await page.getByRole('button', { name: 'Zoeken' }).click();
  await expect(page).toHaveURL(/q=zzzz-nobody-has-this-name/);
  await expect(page.getByText('Geen personen gevonden.')).toBeVisible();
});

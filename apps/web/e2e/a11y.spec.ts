import { expect, test } from '@playwright/test';
import { expectAccessible, login, type DemoAccount } from './helpers.ts';

test('login page', async ({ page }) => {
  await page.goto('/login');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expectAccessible(page, 'login');
});

const accounts: DemoAccount[] = [
  'demo-admin',
  'demo-hr',
  'demo-chief',
  'demo-lead',
  'demo-officer',
  'demo-council',
];
for (const account of accounts) {
  test(`home page of ${account}`, async ({ page }) => {
    await login(page, account);
    await expectAccessible(page, `home ${account}`);
  });
}

test('admin pages', async ({ page }) => {
  await login(page, 'demo-admin');

  await page.goto('/admin/units');
  await expect(page.getByRole('heading', { level: 1, name: 'Eenheden' })).toBeVisible();
  await expectAccessible(page, 'units');

  await page.getByRole('navigation', { name: 'Organisatieboom' }).getByRole('link').nth(1).click();
  await expect(page.getByRole('region', { name: 'Huidige leden' })).toBeVisible();
  await expectAccessible(page, 'unit detail');

  await page.goto('/admin/people');
  await expect(page.getByRole('heading', { level: 1, name: 'Personen' })).toBeVisible();
  await expectAccessible(page, 'people');

  await page.getByRole('table').getByRole('link').first().click();
  await expect(page.getByRole('region', { name: 'Lidmaatschappen' })).toBeVisible();
  await expectAccessible(page, 'person detail');

  await page.goto('/admin/people/new');
  await expect(page.getByRole('heading', { level: 1, name: 'Persoon toevoegen' })).toBeVisible();
  await expectAccessible(page, 'new person');

  await page.goto('/admin/audit');
  await expect(page.getByRole('heading', { level: 1, name: 'Auditlog' })).toBeVisible();
  await expectAccessible(page, 'audit');

  await page.goto('/account/password');
  await expect(page.getByRole('heading', { level: 1, name: 'Wachtwoord wijzigen' })).toBeVisible();
  await expectAccessible(page, 'password');
});

// An import goes into the one organisation its administrator holds: demo-admin-2 (the corps).
test('import pages', async ({ page }) => {
  await login(page, 'demo-admin-2');
  await page.goto('/admin/import');
  await expect(
    page.getByRole('heading', { level: 1, name: 'Import uit het HR-systeem' }),
  ).toBeVisible();
  await expectAccessible(page, 'import');

  // A dry run changes nothing: its report, with a rejected row, is checked too.
  await page.getByLabel('Eenheden (CSV)').setInputFiles({
    name: 'eenheden.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(
      'Eenheidscode;Naam;Soort;Bovenliggende eenheid\r\nA11Y-T1;Team;team;A11Y-ONBEKEND\r\n',
    ),
  });
  await page.getByRole('button', { name: 'Proefimport' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /^Proefimport van / })).toBeVisible();
  await expectAccessible(page, 'import report');
});

test('no-access and not-found pages', async ({ page }) => {
  await login(page, 'demo-officer');
  await page.goto('/admin/people');
  await expect(
    page.getByRole('heading', { level: 1, name: /^(Geen toegang|No access)$/ }),
  ).toBeVisible();
  await expectAccessible(page, 'no access');
  await page.goto('/nope');
  await expectAccessible(page, 'not found');
});

test('pulse answer page (phone size)', async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 390, height: 844 });
  // demo-lead views the form but never sends it, so the page stays in its form state.
  await login(page, 'demo-lead');
  await expect(async () => {
    await page.goto('/pulse');
    await expect(page.getByRole('heading', { level: 2, name: 'Vragen' })).toBeVisible({
      timeout: 3_000,
    });
  }).toPass({ timeout: 60_000, intervals: [1_000, 2_000, 3_000] });
  await page
    .getByRole('group', { name: /^Vraag 1 van/ })
    .getByRole('radio')
    .first()
    .check();
  await page.getByLabel(/Wil je nog iets kwijt over je team\?/).fill('Mail jan@example.org');
  await expect(page.getByTestId('comment-preview')).toHaveText('Mail [e-mail]');
  await expectAccessible(page, 'pulse');
});

test('wave administration pages', async ({ page }) => {
  await login(page, 'demo-admin');
  await page.goto('/admin/waves');
  await expect(page.getByRole('heading', { level: 1, name: 'Metingen' })).toBeVisible();
  await expectAccessible(page, 'waves');

  await page.getByRole('table').getByRole('link').first().click();
  await expect(page.getByRole('region', { name: 'Groepen' })).toBeVisible();
  await expectAccessible(page, 'wave detail');

  await page.getByRole('link', { name: 'Voorbeeld bekijken' }).click();
  await expect(page.getByTestId('officer-view')).toBeVisible();
  await expectAccessible(page, 'wave preview');

  await page.goto('/admin/programmes');
  await expect(page.getByRole('heading', { level: 1, name: 'Programma’s' })).toBeVisible();
  await expectAccessible(page, 'programmes');

  await page.goto('/admin/items');
  await expect(page.getByRole('heading', { level: 1, name: 'Vragenbank' })).toBeVisible();
  await expectAccessible(page, 'item bank');
});

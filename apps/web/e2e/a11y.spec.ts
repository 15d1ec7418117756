import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { login, type DemoAccount } from './helpers.ts';

/** No serious or critical WCAG 2.x A/AA violations on the page as it is now. */
async function expectAccessible(page: Page, label: string): Promise<void> {
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

import { expect, test } from '@playwright/test';
import { login } from './helpers.ts';

const NO_ACCESS = /^(Geen toegang|No access)$/;

test('an officer has no admin links in the navigation', async ({ page }) => {
  await login(page, 'demo-officer');
  const nav = page.getByRole('navigation', { name: /^(Hoofdmenu|Main menu)$/ });
  await expect(nav.getByRole('link', { name: /^(Start|Home)$/ })).toBeVisible();
  for (const name of [/^(Eenheden|Units)$/, /^(Personen|People)$/, /^(Auditlog|Audit log)$/]) {
    await expect(page.getByRole('link', { name })).toHaveCount(0);
  }
});

for (const path of ['/admin/people', '/admin/units', '/admin/audit', '/admin/people/new']) {
  test(`an officer opening ${path} sees the no-access message and no data`, async ({ page }) => {
    await login(page, 'demo-officer');
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1, name: NO_ACCESS })).toBeVisible();
    await expect(page.getByRole('table')).toHaveCount(0);
    await expect(
      page.getByRole('navigation', { name: /^(Organisatieboom|Organisation tree)$/ }),
    ).toHaveCount(0);
  });
}

test('an officer opening a person page by id sees the no-access message', async ({
  page,
  browser,
}) => {
  // Find a real person id as an administrator first, in a separate session.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await login(admin, 'demo-admin');
  await admin.goto('/admin/people');
  const href = await admin.getByRole('table').getByRole('link').first().getAttribute('href');
  await adminContext.close();
  expect(href).toMatch(/^\/admin\/people\//);

  await login(page, 'demo-officer');
  await page.goto(href ?? '/admin/people');
  await expect(page.getByRole('heading', { level: 1, name: NO_ACCESS })).toBeVisible();
});

test('the works council reads the audit log but cannot manage people', async ({ page }) => {
  await login(page, 'demo-council');
  await page.goto('/admin/audit');
  await expect(
    page.getByRole('heading', { level: 1, name: /^(Auditlog|Audit log)$/ }),
  ).toBeVisible();
  await page.goto('/admin/people/new');
  await expect(page.getByRole('heading', { level: 1, name: NO_ACCESS })).toBeVisible();
});

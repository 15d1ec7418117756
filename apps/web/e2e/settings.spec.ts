import { expect, test, type Page } from '@playwright/test';
import { login, watchConsole } from './helpers.ts';

// Organisation settings: an administrator raises K (never lowers it) and the change is in the
// history; the works council reads the same page without being able to change it.
// The raise is made in the demo's Belgian zone, whose waves the corps' specs never read: a raise
// cannot be undone, and the corps' thresholds stay at the floors for every other spec.
test.describe.configure({ mode: 'serial' });

const ZONE = 'Politiezone Scheldeland (demo)';
const K_LABEL = 'K: respondenten voor een score';

async function openZoneSettings(page: Page): Promise<void> {
  await page.goto('/admin/settings');
  await expect(page.getByRole('heading', { level: 1, name: 'Instellingen' })).toBeVisible();
  await page.getByLabel('Organisatie').selectOption({ label: ZONE });
  await page.getByRole('button', { name: 'Tonen' }).click();
  await expect(page).toHaveURL(/organisation=/);
  await expect(page.getByRole('strong').filter({ hasText: ZONE })).toBeVisible();
}

test('an administrator raises K; lowering it is refused with the reason; the history shows it', async ({
  page,
}) => {
  await login(page, 'demo-admin');
  const problems = watchConsole(page);
  await openZoneSettings(page);

  const k = page.getByLabel(K_LABEL);
  const current = Number(await k.inputValue());
  expect(current).toBeGreaterThanOrEqual(5);
  // The field says its floor and current value, and that a change applies from the next wave.
  await expect(k).toHaveAccessibleDescription(
    `Minimum 5 · nu ${current} · Geldt vanaf de volgende meting.`,
  );

  await k.fill(String(current + 1));
  await page.getByRole('button', { name: 'Instellingen opslaan' }).click();
  await expect(page.getByText('De instellingen zijn opgeslagen.')).toBeVisible();
  await expect(k).toHaveAccessibleDescription(new RegExp(`^Minimum 5 · nu ${current + 1} `));

  const history = page.getByRole('table', { name: /Wijzigingen van de instellingen/ });
  const row = history.getByRole('row').filter({ hasText: 'thresholds.k' }).first();
  await expect(row).toContainText(String(current));
  await expect(row).toContainText(String(current + 1));
  await expect(row).toContainText('vanaf de volgende meting');

  // Back to the old value: refused, with the rule, K's label and its value, all in Dutch.
  await k.fill(String(current));
  await page.getByRole('button', { name: 'Instellingen opslaan' }).click();
  const alert = page.getByRole('alert');
  const refusal = `${K_LABEL}: staat nu op ${current + 1} en kan niet omlaag naar ${current}.`;
  await expect(alert).toContainText('Een drempel kan alleen omhoog');
  await expect(alert).toContainText(refusal);
  await expect(alert).not.toContainText('cannot be lowered');
  // The field itself says why, for a reader who moves through the form.
  await expect(k).toHaveAccessibleDescription(
    `Minimum 5 · nu ${current + 1} · Geldt vanaf de volgende meting. ${refusal} Drempels kunnen alleen omhoog.`,
  );
  await page.reload();
  await expect(page.getByRole('strong').filter({ hasText: ZONE })).toBeVisible();
  await expect(page.getByLabel(K_LABEL)).toHaveValue(String(current + 1));
  expect(problems.filter((p) => !/status of 400/.test(p))).toEqual([]);
});

test('the works council reads the settings and their history but cannot change them; officers see the adviser', async ({
  page,
}) => {
  test.setTimeout(120_000);
  // An administrator names the corps' confidential adviser, so the corps' history has a line.
  await login(page, 'demo-admin');
  await page.goto('/admin/settings');
  const adviser = `https://intranet.example/vertrouwenspersoon-${Date.now()}`;
  await page.getByLabel('Vertrouwenspersoon').fill(adviser);
  await page.getByRole('button', { name: 'Instellingen opslaan' }).click();
  await expect(page.getByText('De instellingen zijn opgeslagen.')).toBeVisible();
  await page.getByRole('button', { name: /^(Uitloggen|Log out)$/ }).click();

  await login(page, 'demo-council');
  await page.getByRole('navigation').getByRole('link', { name: 'Instellingen' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Instellingen' })).toBeVisible();
  await expect(page.getByText(/kunt deze instellingen en hun geschiedenis inzien/)).toBeVisible();
  await expect(page.getByLabel(K_LABEL)).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Instellingen opslaan' })).toHaveCount(0);
  const history = page.getByRole('table', { name: /Wijzigingen van de instellingen/ });
  const row = history.getByRole('row').filter({ hasText: adviser });
  await expect(row).toContainText('links.confidentialAdviser');
  await expect(row).toContainText('direct');
  await page.getByRole('button', { name: /^(Uitloggen|Log out)$/ }).click();

  // The officer finds the adviser next to the comment box of the answer page.
  await login(page, 'demo-officer');
  await expect(async () => {
    await page.goto('/pulse');
    await expect(page.getByRole('link', { name: 'Vertrouwenspersoon' })).toHaveAttribute(
      'href',
      adviser,
      { timeout: 3_000 },
    );
  }).toPass({ timeout: 60_000, intervals: [1_000, 2_000, 3_000] });
});

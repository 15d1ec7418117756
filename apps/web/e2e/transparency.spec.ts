import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, login, watchConsole } from './helpers.ts';

// Journey 5 ("Check the promises"): anyone logged in reads the transparency page of their wave;
// the works council reads and exports the audit log.
test.describe.configure({ mode: 'serial' });

const TRANSPARENCY_LINK = 'Transparantie van deze meting: regels, groepen en sleutels';

/** Opens the answer page until its "who sees what" panel and the transparency link appear. */
async function openPulse(page: Page): Promise<void> {
  await expect(async () => {
    await page.goto('/pulse');
    await expect(page.getByRole('link', { name: TRANSPARENCY_LINK }).first()).toBeVisible({
      timeout: 3_000,
    });
  }).toPass({ timeout: 60_000, intervals: [1_000, 2_000, 3_000] });
}

test('an officer opens the transparency page from the answer page, in Dutch and in English', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await login(page, 'demo-officer');
  const problems = watchConsole(page);
  await openPulse(page);
  await page.getByRole('link', { name: TRANSPARENCY_LINK }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: /^Transparantie: / })).toBeVisible();

  const thresholds = page.getByRole('region', { name: 'Drempels in deze meting' });
  await expect(thresholds).toContainText(
    'Een score wordt pas getoond als minstens 5 mensen in de groep hebben geantwoord.',
  );
  await expect(thresholds).toContainText('nooit per team');

  const plan = page.getByRole('region', { name: 'Indeling in groepen' });
  await expect(
    plan.getByRole('table', { name: 'Aantal groepen per soort en grootte' }),
  ).toBeVisible();
  const cells = plan.getByRole('table', { name: 'Groepen van deze meting' });
  const sizes = await cells.getByRole('row').locator('td:nth-child(4)').allInnerTexts();
  expect(sizes.length).toBeGreaterThan(0);
  // Sizes are bands, never an exact count.
  for (const size of sizes) expect(size).toMatch(/^(5-9|10-19|20-49|50-99|100\+) personen$/);

  const keys = page.getByRole('region', { name: 'Sleutels' });
  await expect(keys).toContainText('De meting loopt');
  await expect(keys.getByRole('link', { name: /^Manifest van deze meting/ })).toBeVisible();
  const limits = page.getByRole('region', { name: 'Wat Teamspiegel niet kan beloven' });
  await expect(limits).toContainText('Schrijfstijl');
  await expect(limits).toContainText('ook niet als daarom wordt gevraagd');
  await expectAccessible(page, 'transparency page');

  // The officer's language is saved on the person: switch back whatever happens.
  const header = page.getByRole('banner');
  await header.getByLabel('Taal').selectOption('en');
  try {
    await expect(page.getByRole('heading', { level: 1, name: /^Transparency: / })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Thresholds in this wave' })).toContainText(
      'A score is shown only when at least 5 people in the group answered.',
    );
    await expect(
      page.getByRole('table', { name: 'Groups of this wave' }).locator('td:nth-child(4)').first(),
    ).toHaveText(/^(5-9|10-19|20-49|50-99|100\+) people$/);
    await expect(
      page.getByRole('region', { name: 'What Teamspiegel cannot promise' }),
    ).toContainText('Writing style');
  } finally {
    await header.getByLabel(/^(Language|Taal)$/).selectOption('nl');
    await expect(page.getByRole('heading', { level: 1, name: /^Transparantie: / })).toBeVisible();
  }
  expect(problems).toEqual([]);
});

test('the works council filters the audit log and exports it as CSV', async ({ page }) => {
  await login(page, 'demo-council');
  await page
    .getByRole('navigation', { name: 'Hoofdmenu' })
    .getByRole('link', { name: 'Auditlog' })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'Auditlog' })).toBeVisible();

  await page.getByLabel('Soort actie').selectOption('auth');
  await page.getByRole('button', { name: 'Filteren' }).click();
  await expect(page).toHaveURL(/group=auth/);
  const table = page.getByRole('table', { name: 'Gebeurtenissen, nieuwste eerst' });
  await expect(table.getByRole('cell', { name: 'Ingelogd' }).first()).toBeVisible();
  await expectAccessible(page, 'audit log');

  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Exporteren (CSV)' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^teamspiegel-audit-\d{4}-\d{2}-\d{2}\.csv$/);
  // The format Dutch Excel opens in columns: a byte order mark, `;` between cells, CRLF.
  const file = readFileSync(await download.path(), 'utf8');
  expect(file.startsWith('\uFEFF')).toBe(true);
  const lines = file.slice(1).trimEnd().split('\r\n');
  expect(lines[0]).toBe('at;action;actor_id;actor_name;target_type;target_id;target_label;details');
  expect(lines.length).toBeGreaterThan(1);
  // The export has the page's filter: only login, logout and password events.
  for (const line of lines.slice(1)) expect(line.split(';')[1]).toMatch(/^auth\./);
});

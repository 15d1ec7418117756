import { expect, test, type Page } from '@playwright/test';
import { login } from './helpers.ts';
import { approveAsSecondAdmin, WAITS_FOR_SECOND_ADMIN } from './roster-support.ts';

async function openUnit(page: Page, name: string): Promise<void> {
  await page.goto('/admin/units');
  await page.getByRole('button', { name: 'Alles uitklappen' }).click();
  await page
    .getByRole('navigation', { name: 'Organisatieboom' })
    .getByRole('link', { name, exact: true })
    .click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

// The demo's organisations each run a wave, so creating, moving and archiving wait for a second
// administrator (roster freeze); a rename changes no membership and applies at once.
test('an administrator creates a team, renames, moves and archives it', async ({
  page,
  browser,
}) => {
  const stamp = Date.now().toString(36).toUpperCase();
  const teamName = `E2E-team ${stamp}`;
  const renamed = `E2E-team ${stamp} hernoemd`;

  await login(page, 'demo-admin');
  await openUnit(page, 'Basisteam Haarlem');

  // Create: a team under the basisteam, listed among its children.
  const create = page.getByRole('region', { name: 'Onderliggende eenheid toevoegen' });
  await create.getByLabel('Naam').fill(teamName);
  await create.getByLabel('Code').fill(`E2E-${stamp}`);
  await create.getByLabel('Soort').selectOption('team');
  await create.getByRole('button', { name: 'Eenheid toevoegen' }).click();
  await expect(page.getByRole('status')).toContainText(WAITS_FOR_SECOND_ADMIN);
  await approveAsSecondAdmin(browser, `(E2E-${stamp})`);
  await page.reload();
  const children = page.getByRole('region', { name: 'Onderliggende eenheden' });
  await children.getByRole('link', { name: teamName, exact: true }).click();

  await expect(page.getByRole('heading', { level: 1, name: teamName })).toBeVisible();
  const details = page.getByRole('region', { name: 'Details' });
  await expect(details).toContainText(`E2E-${stamp}`);
  await expect(details).toContainText('Team');
  const breadcrumb = page.getByRole('navigation', { name: 'Ligt onder' });
  await expect(breadcrumb.getByRole('link', { name: 'Basisteam Haarlem' })).toBeVisible();
  // INV-11: a team with fewer than K_E members is collected in its parent's remainder group.
  await expect(page.getByTestId('small-team')).toContainText(
    'Minder dan 5 leden: de leden antwoorden in de restgroep van Basisteam Haarlem',
  );

  // Rename.
  const rename = page.getByRole('region', { name: 'Naam wijzigen' });
  await rename.getByLabel('Naam').fill(renamed);
  await rename.getByRole('button', { name: 'Naam opslaan' }).click();
  await expect(page.getByRole('status')).toContainText('Opgeslagen.');
  await expect(page.getByRole('heading', { level: 1, name: renamed })).toBeVisible();

  // Move to another basisteam: the breadcrumb follows.
  const move = page.getByRole('region', { name: 'Verplaatsen' });
  await move.getByLabel('Zoek eenheid').fill('Basisteam Velsen');
  const parent = move.getByLabel('Nieuwe bovenliggende eenheid');
  const velsen = parent.locator('option', { hasText: /Basisteam Velsen \(Basisteam\)$/ });
  await parent.selectOption((await velsen.getAttribute('value')) ?? '');
  await move.getByRole('button', { name: 'Verplaatsen' }).click();
  await expect(page.getByRole('status')).toContainText(WAITS_FOR_SECOND_ADMIN);
  await approveAsSecondAdmin(browser, `(E2E-${stamp})`);
  await page.reload();
  await expect(breadcrumb.getByRole('link', { name: 'Basisteam Velsen' })).toBeVisible();
  await expect(breadcrumb.getByRole('link', { name: 'Basisteam Haarlem' })).toHaveCount(0);

  // Archive, after confirming; the page then shows it as archived and offers no more changes.
  const archive = page.getByRole('region', { name: 'Archiveren' });
  await archive.getByRole('button', { name: 'Eenheid archiveren' }).click();
  await expect(archive.getByText(`Weet je zeker dat je ${renamed} wilt archiveren?`)).toBeVisible();
  await archive.getByRole('group').getByRole('button', { name: 'Eenheid archiveren' }).click();
  await expect(page.getByRole('status')).toContainText(WAITS_FOR_SECOND_ADMIN);
  await approveAsSecondAdmin(browser, `(E2E-${stamp})`);
  await page.reload();
  await expect(page.getByText('Deze eenheid is gearchiveerd.')).toBeVisible();
  await expect(details).toContainText('Gearchiveerd');
  await expect(page.getByRole('region', { name: 'Naam wijzigen' })).toHaveCount(0);

  // And after a fresh load it is still under Velsen and still archived.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: renamed })).toBeVisible();
  await expect(breadcrumb.getByRole('link', { name: 'Basisteam Velsen' })).toBeVisible();
  await expect(details).toContainText('Gearchiveerd');
});

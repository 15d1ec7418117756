import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { ImportRun, Unit } from '@teamspiegel/contracts';
import { apiFor, login, logout } from './helpers.ts';

// Journey 4: an administrator imports the organisation tree from the HR system's CSV export.
// An import is a full sync of the files given, so the units file here is the corps as it is
// (read from the API) plus a new service with two teams; no people or memberships file is
// given, so nobody in the demo is touched. The corps has an open wave, so applying waits for
// a second administrator (four eyes) before anything changes. demo-admin-2 imports: an import
// is into the one organisation its administrator holds (demo-admin holds two); demo-admin,
// also an administrator of the corps, approves.

const HEADER = 'Eenheidscode;Naam;Soort;Bovenliggende eenheid';

/** The corps' current units as lines of the units file, parents before children. */
function corpsLines(units: Unit[], root: Unit): string[] {
  const children = new Map<string, Unit[]>();
  for (const u of units) {
    if (u.archived || !u.parentId) continue;
    children.set(u.parentId, [...(children.get(u.parentId) ?? []), u]);
  }
  const lines = [`${root.code};${root.name};${root.kind};`];
  const queue = [root];
  for (let u = queue.shift(); u; u = queue.shift()) {
    for (const child of children.get(u.id) ?? []) {
      lines.push(`${child.code};${child.name};${child.kind};${u.code}`);
      queue.push(child);
    }
  }
  return lines;
}

/** Writes a file as an HR export does: BOM, semicolons, CRLF. */
function writeExport(dir: string, name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `\uFEFF${[HEADER, ...lines].join('\r\n')}\r\n`);
  return file;
}

async function dryRun(page: Page, unitsFile: string): Promise<string> {
  await page.goto('/admin/import');
  await expect(
    page.getByRole('heading', { level: 1, name: 'Import uit het HR-systeem' }),
  ).toBeVisible();
  await page.getByLabel('Eenheden (CSV)').setInputFiles(unitsFile);
  await page.getByRole('button', { name: 'Proefimport' }).click();
  await expect(page).toHaveURL(/\/admin\/import\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1, name: /^Proefimport van / })).toBeVisible();
  return page.url().split('/').pop()!;
}

test('an administrator dry-runs the HR export, sees and downloads the rejected row, corrects it and applies; the same file again changes nothing', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const stamp = Date.now().toString(36).toUpperCase();
  const dir = mkdtempSync(join(tmpdir(), 'teamspiegel-e2e-import-'));
  try {
    await login(page, 'demo-admin-2');
    const admin = await apiFor(page);
    const { items: units } = await admin.get<{ items: Unit[] }>('/units');
    const corps = units.find((u) => u.kind === 'corps' && u.parentId === null);
    expect(corps, 'the demo has a corps').toBeTruthy();
    const current = corpsLines(units, corps!);

    const service = `IMP-${stamp}`;
    const added = [
      `${service};Dienst Import ${stamp};service;${corps!.code}`,
      `${service}-T1;Team Import ${stamp} 1;team;${service}`,
    ];
    // Line numbers as an editor shows them: the header is line 1.
    const badLine = current.length + added.length + 2;
    const bad = `${service}-T2;Team Import ${stamp} 2;team;ONBEKEND-${stamp}`;
    const withError = writeExport(dir, 'eenheden.csv', [...current, ...added, bad]);

    // --- Dry run with a rejected row ---------------------------------------------------------
    await page
      .getByRole('navigation', { name: 'Hoofdmenu' })
      .getByRole('link', { name: 'Import' })
      .click();
    const firstId = await dryRun(page, withError);
    const rejected = page.getByRole('region', { name: 'Afgekeurde regels' });
    await expect(rejected.getByText('1 regel afgekeurd')).toBeVisible();
    const row = rejected
      .getByRole('table', { name: 'Afgekeurde regels met bestand, regelnummer en reden' })
      .getByRole('row')
      .nth(1);
    // Line and reason first (a phone keeps them in view), the reason in Dutch only.
    await expect(row.getByRole('cell').nth(0)).toHaveText(String(badLine));
    await expect(row.getByRole('cell').nth(1)).toContainText('Onbekende bovenliggende eenheid');
    await expect(row.getByRole('cell').nth(1)).not.toContainText('cannot be placed');
    await expect(row.getByRole('cell').nth(2)).toHaveText('Eenheden');
    // At phone width the reason stays in view without scrolling sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    const reasonBox = await row.getByRole('cell').nth(1).boundingBox();
    expect(reasonBox!.x + reasonBox!.width).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 720 });

    // Nothing changed yet, and the valid part waits for an explicit choice.
    const summary = page.getByRole('table', { name: 'Geplande wijzigingen per soort' });
    await expect(summary.getByRole('row', { name: /^Eenheden/ })).toContainText('2 nieuw');
    const apply = page.getByRole('region', { name: 'Toepassen' });
    await expect(apply.getByRole('button', { name: 'Toepassen', exact: true })).toBeDisabled();
    await expect(
      apply.getByLabel('Pas de geldige regels toe en sla de afgekeurde over'),
    ).not.toBeChecked();

    const planned = page.getByRole('table', { name: 'Geplande wijzigingen: Eenheden' });
    await expect(planned.getByRole('row', { name: new RegExp(`${service}-T1`) })).toContainText(
      'nieuw',
    );
    // Fields and unit kinds in Dutch, not `kind: — → team`.
    await expect(planned.getByRole('row', { name: new RegExp(`${service}-T1`) })).toContainText(
      'Soort: — → Team',
    );

    // --- The rejected rows as CSV --------------------------------------------------------------
    const downloading = page.waitForEvent('download');
    await rejected
      .getByRole('link', { name: 'Eenheden: afgekeurde regels downloaden (CSV)' })
      .click();
    const download = await downloading;
    const csv = readFileSync(await download.path(), 'utf8');
    // The units file's own columns, then regel and reden: HR can correct it and upload it again.
    expect(csv.split(/\r?\n/)[0]).toMatch(/;regel;reden$/);
    expect(csv).toContain(String(badLine));
    expect(csv).toContain(`${service}-T2`);
    expect(csv).toContain(`ONBEKEND-${stamp}`);

    // --- Corrected file, dry run again, apply ------------------------------------------------
    const fixed = writeExport(dir, 'eenheden-verbeterd.csv', [
      ...current,
      ...added,
      `${service}-T2;Team Import ${stamp} 2;team;${service}`,
    ]);
    const secondId = await dryRun(page, fixed);
    expect(secondId).not.toBe(firstId);
    await expect(page.getByText('Geen afgekeurde regels')).toBeVisible();
    await expect(
      page
        .getByRole('table', { name: 'Geplande wijzigingen per soort' })
        .getByRole('row', { name: /^Eenheden/ }),
    ).toContainText('3 nieuw');

    await apply.getByRole('button', { name: 'Toepassen', exact: true }).click();
    await expect(apply.getByRole('group', { name: 'Toepassen' })).toContainText(
      'Dit wijzigt 3 eenheden, 0 personen en 0 lidmaatschappen.',
    );
    await apply.getByRole('button', { name: 'Ja, toepassen' }).click();
    // Read the run only once the page shows the outcome: before that the apply may still be running.
    await expect(
      page.getByText(/^(De import is toegepast\.|De import is ter goedkeuring aangeboden)/),
    ).toBeVisible({ timeout: 30_000 });

    const run = await admin.get<ImportRun>(`/imports/${secondId}`);
    if (run.state === 'pending_approval') {
      // The corps has an open wave: the change waits for the second administrator.
      await expect(page.getByText('De import is ter goedkeuring aangeboden')).toBeVisible();
      await expect(page.getByText(/wacht op een tweede beheerder/)).toBeVisible();
      expect(run.rosterChangeId).toBeTruthy();
      await logout(page);
      await login(page, 'demo-admin');
      await page.goto('/admin/changes');
      const change = page.getByRole('row').filter({ hasText: 'HR-import' }).first();
      await change.getByRole('button', { name: 'Goedkeuren' }).click();
      await change.getByRole('group').getByRole('button', { name: 'Goedkeuren' }).click();
      await expect(page.getByRole('status')).toContainText('Goedgekeurd en doorgevoerd.');
      await logout(page);
      await login(page, 'demo-admin-2');
      await page.goto(`/admin/import/${secondId}`);
    } else {
      await expect(page.getByText('De import is toegepast.')).toBeVisible();
    }
    await expect(page.getByText(/^Toegepast op /)).toBeVisible();
    const after = await (await apiFor(page)).get<{ items: Unit[] }>('/units');
    expect(after.items.map((u) => u.code)).toEqual(
      expect.arrayContaining([service, `${service}-T1`, `${service}-T2`]),
    );

    // --- The same file again: nothing to do ----------------------------------------------------
    await dryRun(page, fixed);
    await expect(
      page.getByText('Geen wijzigingen: de organisatie komt al overeen met deze bestanden.'),
    ).toBeVisible();
    await expect(page.getByText('Er valt niets toe te passen.')).toBeVisible();

    // The history lists all three runs, the applied one among them.
    await page.getByRole('link', { name: 'Import uit het HR-systeem' }).click();
    const history = page.getByRole('table', { name: 'Eerdere imports, nieuwste eerst' });
    await expect(history.getByRole('row').nth(1)).toContainText('Proefimport');
    await expect(history.getByRole('row').nth(2)).toContainText('Toegepast');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

import { expect, test, type Page } from '@playwright/test';
import type { NodeResult, ResultsOverview } from '@teamspiegel/contracts';
import { expectAccessible, login, watchConsole } from './helpers.ts';

// The demo seed closes about six waves through the real pipeline, so every role has results.
// These specs read whatever the demo published; they never assume a particular score.

const NO_ACCESS = /^(Geen toegang|No access)$/;
const TOO_FEW = /^(Te weinig antwoorden om te tonen|Too few answers to show)$/;

async function overview(page: Page): Promise<ResultsOverview> {
  const response = await page.request.get('/api/v1/results/overview');
  expect(response.status()).toBe(200);
  return (await response.json()) as ResultsOverview;
}

async function openResults(page: Page): Promise<void> {
  await page
    .getByRole('navigation', { name: /^(Hoofdmenu|Main menu)$/ })
    .getByRole('link', { name: /^(Resultaten|Results)$/ })
    .click();
  await expect(page).toHaveURL(/\/results\/[0-9a-f-]{36}\/[0-9a-f-]{36}/);
}

test('demo-lead sees their team with theme scores, the anchor trend and records the action', async ({
  page,
}) => {
  await login(page, 'demo-lead');
  const problems = watchConsole(page);
  await openResults(page);
  await expect(page.getByRole('heading', { level: 1, name: /Noodhulp/ })).toBeVisible();

  const themes = page.getByRole('region', { name: 'Thema’s', exact: true });
  await expect(themes.getByText(/95%-betrouwbaarheidsinterval/).first()).toBeVisible();
  await expect(
    themes.getByText(/(Duidelijk beter|Duidelijk slechter|Geen duidelijke verandering)/).first(),
  ).toBeVisible();

  // The trend: a chart, and the same numbers in a table with one row per wave.
  const trend = page.getByRole('region', { name: 'Trend van de ankervragen' });
  await expect(trend.locator('canvas')).toHaveCount(1);
  const trendTable = trend.getByRole('table', { name: /Ankervragen per meting/ });
  expect(await trendTable.getByRole('row').count()).toBeGreaterThanOrEqual(4);
  const themeTrend = page.getByRole('region', { name: 'Thema’s door de tijd' });
  await expect(themeTrend.getByRole('table', { name: /Themascores per meting/ })).toBeVisible();

  await expect(
    page.getByRole('region', { name: 'Inclusief leiderschap', exact: true }),
  ).toBeVisible();
  await expect(
    page.getByRole('table', { name: /Themascores naast de groepen erboven/ }),
  ).toBeVisible();
  await expectAccessible(page, 'team view (lead)');

  // "You said, we did": the lead records the team's action.
  const action = page.getByRole('region', { name: 'Jullie zeiden, wij deden' });
  await action.getByRole('button', { name: /^Actie (vastleggen|bijwerken)$/ }).click();
  const what = `Elke nachtdienst samen nabespreken ${Date.now()}`;
  await action.getByLabel('Wat gaan we doen').fill(what);
  await action.getByLabel('Thema').selectOption('psychological_safety');
  await action.getByLabel('Klaar op').fill('2027-03-31');
  await action.getByLabel('Stand van zaken').selectOption('in_progress');
  await action.getByRole('button', { name: 'Actie opslaan' }).click();
  await expect(action.getByText('De actie is opgeslagen.')).toBeVisible();
  await expect(action.getByTestId('team-action')).toContainText(what);
  await expect(action.getByTestId('team-action')).toContainText('Bezig');

  await page.reload();
  await expect(
    page.getByRole('region', { name: 'Jullie zeiden, wij deden' }).getByTestId('team-action'),
  ).toContainText(what);
  expect(problems).toEqual([]);
});

test('demo-officer sees their team and its action, and no other team', async ({
  page,
  browser,
}) => {
  // A team node outside the officer's reach, found as HR in a separate session.
  const hrContext = await browser.newContext();
  const hr = await hrContext.newPage();
  await login(hr, 'demo-hr');
  const all = await overview(hr);
  await hrContext.close();

  await login(page, 'demo-officer');
  await openResults(page);
  await expect(page.getByRole('heading', { level: 1, name: /Noodhulp/ })).toBeVisible();
  const action = page.getByRole('region', { name: 'Jullie zeiden, wij deden' });
  await expect(action).toBeVisible();
  await expect(action.getByRole('button', { name: /^Actie/ })).toHaveCount(0);
  await expectAccessible(page, 'team view (officer)');

  const mine = await overview(page);
  const own = new Set(mine.nodes.map((n) => n.nodeId));
  const other = all.nodes.find((n) => n.kind === 'team' && !own.has(n.nodeId));
  expect(other).toBeDefined();
  const wave = mine.waves[0]!;
  await page.goto(`/results/${wave.waveId}/${other!.nodeId}`);
  await expect(page.getByRole('heading', { level: 1, name: NO_ACCESS })).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
  const direct = await page.request.get(
    `/api/v1/results/waves/${wave.waveId}/nodes/${other!.nodeId}`,
  );
  expect(direct.status()).toBe(403);
});

test('demo-hr opens the heatmap, drills down, exports CSV and compares two units', async ({
  page,
}) => {
  await login(page, 'demo-hr');
  await page.goto('/results/heatmap');
  await expect(
    page.getByRole('heading', { level: 1, name: 'Overzicht van eenheden' }),
  ).toBeVisible();
  const table = page.getByRole('table', { name: /Scores per thema onder/ });
  await expect(table).toBeVisible();
  const caption = await table.locator('caption').innerText();
  // Every coloured cell prints its number.
  const cells = table.locator('td.heat');
  expect(await cells.count()).toBeGreaterThan(0);
  await expect(cells.first()).toHaveText(/^\d+[,.]\d$/);
  await expectAccessible(page, 'heatmap');

  // One level down, and the trail back up.
  await table
    .getByRole('link', { name: /^Niveau dieper/ })
    .first()
    .click();
  await expect(table.locator('caption')).not.toHaveText(caption);
  await expect(page.getByRole('navigation', { name: 'Niveaus' })).toBeVisible();

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'CSV downloaden' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
  const path = await download.path();
  const { readFile } = await import('node:fs/promises');
  const csv = await readFile(path, 'utf8');
  // The format Dutch Excel opens in columns: a byte order mark, `;` between cells, CRLF.
  expect(csv.startsWith('\uFEFFwave_id;period;node_id;')).toBe(true);
  expect(csv.split('\r\n').filter((line) => line.trim()).length).toBeGreaterThan(1);

  // Compare two units of the first level.
  const all = await overview(page);
  const units = all.nodes.filter((n) => n.kind === 'unit');
  expect(units.length).toBeGreaterThanOrEqual(3);
  await page.getByRole('link', { name: 'Twee eenheden vergelijken' }).click();
  await page.getByLabel('Eenheid A').selectOption(units[1]!.nodeId);
  await page.getByLabel('Eenheid B').selectOption(units[2]!.nodeId);
  await page.getByRole('button', { name: 'Vergelijken' }).click();
  const comparison = page.getByRole('table', { name: /Verschil per thema/ });
  await expect(comparison).toBeVisible();
  await expect(comparison.getByRole('columnheader', { name: '95%-interval' })).toBeVisible();
  await expectAccessible(page, 'compare');
});

test('demo-chief sees the teams below their district side by side', async ({ page }) => {
  await login(page, 'demo-chief');
  await openResults(page);
  const below = page.getByRole('region', { name: 'Groepen hieronder' });
  await expect(below).toBeVisible();
  expect(await below.getByRole('table').getByRole('row').count()).toBeGreaterThanOrEqual(3);
  await expectAccessible(page, 'chief view');
});

test('a group with too few answers shows the friendly panel, with no numbers', async ({ page }) => {
  await login(page, 'demo-hr');
  const all = await overview(page);
  const wave = all.waves[0]!;
  let suppressed: NodeResult | undefined;
  // Remainder and leadership groups and small teams are the usual suspects; look there first.
  const candidates = [...all.nodes].sort(
    (a, b) => Number(a.kind === 'unit') - Number(b.kind === 'unit'),
  );
  for (const node of candidates.slice(0, 80)) {
    const response = await page.request.get(
      `/api/v1/results/waves/${wave.waveId}/nodes/${node.nodeId}`,
    );
    const body = (await response.json()) as NodeResult;
    if ('suppressed' in body) {
      suppressed = body;
      break;
    }
  }
  expect(suppressed).toBeDefined();
  await page.goto(`/results/${wave.waveId}/${suppressed!.nodeId}`);
  await expect(page.getByRole('heading', { level: 2, name: TOO_FEW })).toBeVisible();
  await expect(page.getByTestId('too-few').getByRole('link').first()).toBeVisible();
  await expect(page.getByRole('region', { name: 'Thema’s', exact: true })).toHaveCount(0);
  await expectAccessible(page, 'suppressed');
});

test('a team that answered inside a larger group is told so, and where its comments are', async ({
  page,
}) => {
  // The demo's own teams are large enough to stand alone, so the API's answers are adjusted in
  // the browser: the panels under test only read `mergedInto` and `comments.movedTo`.
  await login(page, 'demo-officer');
  const mine = await overview(page);
  const team = mine.nodes.find((n) => n.nodeId === mine.home[0])!;
  const parent = mine.nodes.find((n) => n.nodeId === team.parentNodeId)!;
  await page.route('**/api/v1/results/overview', async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as ResultsOverview;
    await route.fulfill({ response, json: { ...body, mergedInto: parent.nodeId } });
  });
  await page.route(`**/api/v1/results/waves/*/nodes/${team.nodeId}*`, async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as NodeResult;
    const json =
      'suppressed' in body
        ? body
        : { ...body, comments: { suppressed: true, movedTo: parent.nodeId } };
    await route.fulfill({ response, json });
  });

  await openResults(page);
  const panel = page.getByRole('status').filter({ hasText: 'deel van een grotere groep' });
  await expect(panel).toContainText(parent.name);
  await expect(
    panel.getByRole('link', { name: `Bekijk de resultaten van ${parent.name}` }),
  ).toBeVisible();
  const comments = page.getByRole('region', { name: 'Opmerkingen' });
  await expect(comments).toContainText(`Ze staan bij ${parent.name}`);
  await comments.getByRole('link', { name: `Opmerkingen bij ${parent.name} bekijken` }).click();
  await expect(page.getByRole('heading', { level: 1, name: parent.name })).toBeVisible();
  await expectAccessible(page, 'merged panel');
});

test('the team view works on a phone and at 200% zoom', async ({ page }) => {
  await login(page, 'demo-lead');
  // 200% zoom of a 1280 px wide window is a 640 px wide viewport for the layout.
  await page.setViewportSize({ width: 640, height: 800 });
  await openResults(page);
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  await page.setViewportSize({ width: 360, height: 740 });
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: /Noodhulp/ })).toBeVisible();
  expect(
    await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    ),
  ).toBeLessThanOrEqual(0);
});

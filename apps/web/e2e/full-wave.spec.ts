import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Browser, type Page } from '@playwright/test';
import type { RosterChange, RosterChangePending } from '@teamspiegel/contracts';
import { apiFor, firstLogin, login, type Api, type NewAccount } from './helpers.ts';

// A whole wave through the browser (issue 4, "Done when"): officers answer on a phone, one of
// them changes their answers, an administrator opens and closes the wave in the admin screens,
// and the counts stored at close are exactly what was typed, the changed answers counted once.
//
// Other specs use the corps' open demo wave and demo-officer's single token, so this one stays
// out of the corps: it works in the demo's Belgian zone (no demo account belongs there). It adds
// a team of six people with accounts, closes the zone's current wave, and opens the zone's next
// one, whose roster snapshot then includes the new team. The counts are read from the server's
// SQLite file (read-only) after close: TEAMSPIEGEL_DATA_DIR names the server's data directory
// (scripts/verify.mjs passes it).

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const TEAM_SIZE = 6;
const ANSWERING = 5;
const PASSWORD = 'Volle-meting-wachtwoord-2026';

interface Unit {
  id: string;
  parentId: string | null;
  kind: string;
  name: string;
}
interface Programme {
  id: string;
  rootUnitId: string;
  name: string;
}
interface WaveSummary {
  id: string;
  programmeId: string;
  programmeName: string;
  sequence: number;
  state: 'planned' | 'preparing' | 'open' | 'closing' | 'closed';
}
interface OfficerItem {
  id: string;
  text: string;
  options: { value: number; label: string }[];
  dontKnowLabel: string | null;
}
interface MyWave {
  waveId: string;
  cellId: string;
  items: OfficerItem[];
}
/**
 * A second administrator of the zone, appointed by the operator's command line as in
 * docs/operations.md (made by no administrator, so four eyes accepts their approval of
 * demo-admin's changes), logged in in a session of their own.
 */
async function operatorAdministratorApi(browser: Browser, stamp: string): Promise<Api> {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const username = `fw.beheer.${stamp.toLowerCase()}`;
  const printed = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'apps', 'api', 'src', 'cli', 'teamspiegel.ts'),
      'add-administrator',
      '--organisation',
      'BE-SCH',
      '--employee-number',
      `FW-BEHEER-${stamp}`,
      '--given-name',
      'Beheerder',
      '--family-name',
      `Meting${stamp}`,
      '--email',
      `${username}@zone.example`,
      '--username',
      username,
    ],
    { cwd: join(root, 'apps', 'api'), encoding: 'utf8' },
  );
  const temporaryPassword = /temporary password: (\S+)/.exec(printed)?.[1];
  expect(temporaryPassword, printed).toBeTruthy();
  const page = await (await browser.newContext()).newPage();
  await page.goto('/login');
  await firstLogin(
    page,
    {
      givenName: 'Beheerder',
      name: `Beheerder Meting${stamp}`,
      username,
      temporaryPassword: temporaryPassword!,
    },
    PASSWORD,
  );
  return apiFor(page);
}

/** One officer's answers: per item, an option's value or null for "don't know". */
type Answers = Map<string, number | null>;

test.describe.configure({ mode: 'serial' });

test('a whole wave: officers answer on a phone, one changes, the admin closes, the counts match', async ({
  browser,
  page,
}) => {
  test.setTimeout(360_000);
  const stamp = Date.now().toString(36).toUpperCase();

  // --- The administrator prepares a team in the zone and a fresh wave for it ----------------
  await login(page, 'demo-admin');
  const admin = await apiFor(page);
  const { items: units } = await admin.get<{ items: Unit[] }>('/units');
  const zone = units.find((u) => u.kind === 'zone' && u.parentId === null);
  expect(zone, 'the demo has a Belgian zone').toBeTruthy();
  const { items: programmes } = await admin.get<{ items: Programme[] }>('/programmes');
  const programme = programmes.find((p) => p.rootUnitId === zone!.id);
  expect(programme, 'the zone has a pulse programme').toBeTruthy();
  const zoneWaves = async () =>
    (await admin.get<{ items: WaveSummary[] }>('/waves')).items.filter(
      (w) => w.programmeId === programme!.id,
    );

  // The zone's current wave (opened at server start) is closed first; the scheduler then plans
  // the next one. Keys may still be in the making right after start.
  await expect
    .poll(async () => (await zoneWaves()).some((w) => w.state === 'preparing'), {
      timeout: 120_000,
    })
    .toBe(false);
  // The team is made while the zone's current wave is open, so its roster is frozen: each
  // change is proposed and a second administrator of the zone approves it. The next wave is opened by
  // hand before its day, which needs a roster nobody changed alone within the freeze window.
  const second = await operatorAdministratorApi(browser, stamp);
  const approved = async (result: unknown): Promise<void> => {
    const pending = result as Partial<RosterChangePending>;
    expect(pending.status, 'the zone is frozen by its open wave').toBe('pending_approval');
    const change = await second.post<RosterChange>(
      `/roster-changes/${pending.change!.id}/approve`,
      {},
    );
    expect(change.state).toBe('approved');
  };
  await approved(
    await admin.post('/units', {
      parentId: zone!.id,
      code: `FW-${stamp}`,
      name: `Volle meting ${stamp}`,
      kind: 'team',
    }),
  );
  const team = (await admin.get<{ items: (Unit & { code: string })[] }>('/units')).items.find(
    (u) => u.code === `FW-${stamp}`,
  )!;
  expect(team, 'the approved team exists').toBeTruthy();
  const accounts: NewAccount[] = [];
  for (let i = 0; i < TEAM_SIZE; i++) {
    const givenName = `Agent${String.fromCharCode(65 + i)}`;
    const familyName = `Meting${stamp}`;
    const username = `fw.${stamp.toLowerCase()}.${i}`;
    const person = await admin.post<{ id: string }>('/people', {
      employeeNumber: `FW-${stamp}-${i}`,
      givenName,
      familyName,
      email: `${username}@zone.example`,
      language: 'nl',
    });
    // Long in the team, so nobody counts as a newcomer (INV-8) and the team is its own cell.
    await approved(
      await admin.post(`/people/${person.id}/memberships`, {
        unitId: team.id,
        kind: 'member',
        joinedOn: '2020-01-06',
      }),
    );
    const { temporaryPassword } = await admin.post<{ temporaryPassword: string }>(
      `/people/${person.id}/account`,
      { username },
    );
    accounts.push({ givenName, name: `${givenName} ${familyName}`, username, temporaryPassword });
  }

  // The zone's current wave is closed now; the scheduler then plans the next one.
  for (const wave of await zoneWaves()) {
    if (wave.state === 'open') await admin.post(`/waves/${wave.id}/close`);
  }

  // The scheduler looks once a minute; it plans the next wave once the last one is closed.
  let next: WaveSummary | undefined;
  await expect
    .poll(
      async () => {
        next = (await zoneWaves()).find((w) => w.state === 'planned');
        return next !== undefined;
      },
      { timeout: 150_000, intervals: [2_000] },
    )
    .toBe(true);
  const waveName = `${next!.programmeName}, meting ${next!.sequence}`;

  // Opening happens in the admin screen, which shows the key progress until the wave is open.
  await page.goto(`/admin/waves/${next!.id}`);
  await expect(page.getByRole('heading', { level: 1, name: waveName })).toBeVisible();
  await page.getByRole('button', { name: `${waveName} openen` }).click();
  const summary = page.getByRole('region', { name: 'Overzicht' });
  await expect(summary.getByText('Open', { exact: true })).toBeVisible({ timeout: 120_000 });
  const cells = page.getByRole('table', { name: 'Groepen van deze meting' });
  await expect(cells.getByRole('row').filter({ hasText: team.name })).toContainText('Team');

  // --- Officers answer on their phones ------------------------------------------------------
  const typed = new Map<string, Answers>();
  let waveItems: OfficerItem[] = [];
  const cellIds = new Set<string>();
  for (let i = 0; i < ANSWERING; i++) {
    await answerAsOfficer(browser, accounts[i]!, next!.id, async (officer, wave) => {
      waveItems = wave.items;
      cellIds.add(wave.cellId);
      if (i === 0) {
        // The first officer sends, then changes every answer and sends again.
        await fillAndSend(
          officer,
          wave.items,
          plan(
            wave.items,
            (j, n) => (j + 3) % n,
            () => false,
          ),
        );
        await officer.getByRole('button', { name: 'Antwoorden wijzigen' }).click();
      }
      const answers = plan(
        wave.items,
        // Officers pair up (0 and 1, 2 and 3), so most options are counted twice or not at all.
        (j, n) => (Math.floor(i / 2) + j) % n,
        (j) => (i + j) % 4 === 3,
      );
      await fillAndSend(officer, wave.items, answers);
      typed.set(accounts[i]!.username, answers);
    });
  }
  expect(cellIds.size, 'the whole team answers in one cell').toBe(1);
  const [cellId] = [...cellIds];

  // --- The administrator closes the wave ------------------------------------------------------
  await page.reload();
  await page.getByRole('button', { name: `${waveName} sluiten` }).click();
  await page.getByRole('button', { name: 'Meting sluiten' }).click();
  await expect(summary.getByText('Gesloten', { exact: true })).toBeVisible({ timeout: 60_000 });

  // --- What was stored at close is what was typed ---------------------------------------------
  const expected = new Map<string, number>();
  for (const answers of typed.values()) {
    for (const [itemId, value] of answers) {
      const key = `${itemId}|${value === null ? 'dont_know' : String(value)}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
  }
  const db = openServerDatabase();
  try {
    const cell = db
      .prepare('select id, kind, eligible from wave_cell where wave_id = ? and unit_id = ?')
      .all(next!.id, team.id);
    expect(cell).toEqual([{ id: cellId, kind: 'team', eligible: TEAM_SIZE }]);
    const tally = db
      .prepare('select respondents from wave_cell_tally where wave_id = ? and cell_id = ?')
      .all(next!.id, cellId);
    expect(tally, 'respondents: each officer once, the one who changed included').toEqual([
      { respondents: ANSWERING },
    ]);
    const rows = db
      .prepare(
        'select item_id, option, count from wave_item_tally where wave_id = ? and cell_id = ?',
      )
      .all(next!.id, cellId) as { item_id: string; option: string; count: number }[];
    const stored = new Map(
      rows.filter((r) => r.count > 0).map((r) => [`${r.item_id}|${r.option}`, r.count]),
    );
    expect(Object.fromEntries([...stored].sort())).toEqual(
      Object.fromEntries([...expected].sort()),
    );
    // Every item of the wave was counted, with ANSWERING answers each.
    for (const item of waveItems) {
      const total = rows.filter((r) => r.item_id === item.id).reduce((a, r) => a + r.count, 0);
      expect(total, item.id).toBe(ANSWERING);
    }
    // The raw answers and spent tokens are gone; only the counts remain.
    for (const table of ['response', 'participation']) {
      const left = db.prepare(`select count(*) as n from ${table} where wave_id = ?`).get(next!.id);
      expect(left, table).toEqual({ n: 0 });
    }
  } finally {
    db.close();
  }
});

/** Per item in order: the option at `pick(j, options)`, or "don't know" where offered and wanted. */
function plan(
  items: OfficerItem[],
  pick: (j: number, options: number) => number,
  dontKnow: (j: number) => boolean,
): Answers {
  return new Map(
    items.map((item, j) => [
      item.id,
      item.dontKnowLabel !== null && dontKnow(j)
        ? null
        : item.options[pick(j, item.options.length)]!.value,
    ]),
  );
}

/** Logs in for the first time on a phone, opens the pulse, runs `act`, and closes the phone. */
async function answerAsOfficer(
  browser: Browser,
  account: NewAccount,
  waveId: string,
  act: (page: Page, wave: MyWave) => Promise<void>,
): Promise<void> {
  const context = await browser.newContext({ ...PHONE, locale: 'nl-NL' });
  try {
    const page = await context.newPage();
    await page.goto('/login');
    await firstLogin(page, account, PASSWORD);
    const api: Api = await apiFor(page);
    const wave = (await api.get<{ items: MyWave[] }>('/me/waves')).items.find(
      (w) => w.waveId === waveId,
    );
    expect(wave, `${account.username} is eligible for the new wave`).toBeTruthy();
    await page.goto('/pulse');
    await expect(page.getByRole('heading', { level: 2, name: 'Vragen' })).toBeVisible();
    await act(page, wave!);
  } finally {
    await context.close();
  }
}

/** Picks each answer by its label, as an officer would, sends, and waits for "Geteld". */
async function fillAndSend(page: Page, items: OfficerItem[], answers: Answers): Promise<void> {
  const questions = page.getByRole('group', { name: /^Vraag \d+ van \d+/ });
  await expect(questions).toHaveCount(items.length);
  for (const [j, item] of items.entries()) {
    const question = questions.nth(j);
    await expect(question).toContainText(item.text);
    const value = answers.get(item.id);
    const label =
      value === null ? item.dontKnowLabel! : item.options.find((o) => o.value === value)!.label;
    await question.getByRole('radio', { name: label, exact: true }).check();
  }
  await expect(page.getByText(`${items.length} van ${items.length} beantwoord`)).toBeVisible();
  await page.getByRole('button', { name: 'Antwoorden versturen' }).click();
  await expect(page.getByRole('region', { name: 'Geteld' })).toBeVisible();
}

interface ReadOnlyDatabase {
  prepare(sql: string): {
    all(...params: unknown[]): unknown[];
    get(...params: unknown[]): unknown;
  };
  close(): void;
}

/** The server's SQLite file, opened read-only with the db package's better-sqlite3. */
function openServerDatabase(): ReadOnlyDatabase {
  const dataDir = process.env.TEAMSPIEGEL_DATA_DIR;
  expect(
    dataDir,
    "set TEAMSPIEGEL_DATA_DIR to the server's data directory (scripts/verify.mjs does)",
  ).toBeTruthy();
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const require = createRequire(join(root, 'db', 'package.json'));
  const Database = require('better-sqlite3') as new (
    file: string,
    options: { readonly: boolean; fileMustExist: boolean },
  ) => ReadOnlyDatabase;
  return new Database(join(dataDir!, 'teamspiegel.sqlite'), {
    readonly: true,
    fileMustExist: true,
  });
}

import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, login, watchConsole } from './helpers.ts';

// The officer's journey 1 ("Answer") on a phone: answer, comment, send, change, send again;
// then, on another device, the honest "you already answered elsewhere". The demo server opens a
// wave per organisation at start and generates its keys in the background, so the first spec
// waits for the form. The shared demo wave is never closed here (other specs need it open).
test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

/** Opens the pulse page until the questions appear (keys may still be generated). */
async function openPulse(page: Page): Promise<void> {
  await expect(async () => {
    await page.goto('/pulse');
    await expect(
      page.getByRole('heading', { level: 2, name: /^(Vragen|Questions|Je hebt al meegedaan)$/ }),
    ).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 60_000, intervals: [1_000, 2_000, 3_000] });
}

/** Picks an answer in every question: the first option, or "don't know" where `dontKnow`. */
async function answerAll(page: Page, pick: (n: number) => number): Promise<number> {
  const questions = page.getByRole('group', { name: /^Vraag \d+ van \d+/ });
  const count = await questions.count();
  expect(count).toBeGreaterThanOrEqual(5);
  for (let i = 0; i < count; i++) {
    const radios = questions.nth(i).getByRole('radio');
    await radios.nth(pick(i) % (await radios.count())).check();
  }
  await expect(page.getByText(`${count} van ${count} beantwoord`)).toBeVisible();
  return count;
}

test('an officer answers the pulse on a phone, sends it, changes one answer and sends again', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await login(page, 'demo-officer');
  const problems = watchConsole(page);
  // The home page says a wave is open, and until when.
  const officer = page.getByRole('region', { name: 'Medewerker' });
  await expect(
    officer.getByText(/Er staat een pulsmeting voor je open: .+ tot en met/),
  ).toBeVisible();
  await expect(officer.getByRole('link', { name: 'Pulsmeting invullen' })).toBeVisible();

  await openPulse(page);
  await expect(page.getByRole('heading', { level: 2, name: 'Vragen' })).toBeVisible();
  const who = page.getByRole('region', { name: 'Wie ziet wat' });
  await expect(who).toContainText('Niemand kan zien wat jij hebt geantwoord');
  await expect(who).toContainText('minstens 5 voor scores en minstens 10 voor opmerkingen');
  await expect(who.getByTestId('cell-key-id')).toHaveText(/^[A-Za-z0-9_-]{22}$/);
  await expect(who).toContainText('Deze sleutel staat zo in het openbare overzicht');
  await expect(who).toContainText('Vertrouwenspersoon');
  await expect(who).toContainText('Klachtenroute');
  // "You said, we did": the action the team agreed on after the last results.
  const action = page.getByRole('region', { name: 'Jullie zeiden, wij deden' });
  await expect(action.getByTestId('team-action')).toContainText('briefing');

  // Every answer option is a touch target of at least 44 px.
  const first = page.getByRole('group', { name: /^Vraag 1 van/ });
  const optionBox = await first.locator('label').first().boundingBox();
  expect(optionBox?.height ?? 0).toBeGreaterThanOrEqual(44);

  const total = await answerAll(page, (i) => i);
  await expect(page.getByText(`${total} van ${total} beantwoord`)).toBeVisible();

  const comment = page.getByLabel(/Wil je nog iets kwijt over je team\?/);
  await comment.fill('Bel me op 06-12345678 of mail jan@example.org, dank.');
  const preview = page.getByTestId('comment-preview');
  await expect(preview).toHaveText('Bel me op [telefoon] of mail [e-mail], dank.');
  await expect(page.getByText('2 gegevens vervangen.')).toBeVisible();

  const submitted: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/submit/v1/responses')) submitted.push(request.url());
  });
  await page.getByRole('button', { name: 'Antwoorden versturen' }).click();
  const done = page.getByRole('region', { name: 'Geteld' });
  await expect(done).toContainText(
    /Geteld\. Je kunt je antwoorden op dit apparaat nog wijzigen tot en met .+\./,
  );
  await expect(page.getByRole('heading', { level: 2, name: 'Geteld' })).toBeFocused();
  expect(submitted).toHaveLength(1);
  await expectAccessible(page, 'pulse confirmation');

  // The token is in this tab's sessionStorage only; nothing in localStorage or cookies.
  const stored = await page.evaluate(() => ({
    session: Object.keys(sessionStorage),
    local: Object.keys(localStorage),
    cookie: document.cookie,
  }));
  expect(stored.session.some((k) => k.startsWith('teamspiegel.pulse-token.'))).toBe(true);
  expect(stored.local.some((k) => k.includes('token'))).toBe(false);
  expect(stored.cookie).not.toContain('token');

  // Change answers: an empty form again (earlier answers are never shown), the same token.
  await done.getByRole('button', { name: 'Antwoorden wijzigen' }).click();
  await expect(page.getByText(`0 van ${total} beantwoord`)).toBeVisible();
  await expect(page.getByRole('radio', { checked: true })).toHaveCount(0);
  await expect(page.getByLabel(/Wil je nog iets kwijt over je team\?/)).toHaveValue('');
  await answerAll(page, (i) => (i === 0 ? 4 : i));
  await page.getByRole('button', { name: 'Antwoorden versturen' }).click();
  await expect(page.getByRole('region', { name: 'Geteld' })).toBeVisible();
  expect(submitted).toHaveLength(2);

  // A reload in the same tab keeps the token (it can still replace) but never shows answers.
  await page.reload();
  await expect(page.getByRole('heading', { level: 2, name: 'Vragen' })).toBeVisible();
  await expect(page.getByRole('radio', { checked: true })).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('on another device the officer learns they already answered, and sees no form', async ({
  browser,
}) => {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    locale: 'nl-NL',
  });
  const page = await context.newPage();
  await login(page, 'demo-officer');
  await page.goto('/pulse');
  await expect(page.getByRole('heading', { level: 2, name: 'Je hebt al meegedaan' })).toBeVisible();
  await expect(page.getByText(/Je antwoorden wijzigen kan alleen daar/)).toBeVisible();
  await expect(page.getByText(/prijs van anonimiteit/)).toBeVisible();
  await expect(page.getByRole('radio')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Antwoorden versturen' })).toHaveCount(0);
  await expectAccessible(page, 'pulse answered elsewhere');
  await context.close();
});

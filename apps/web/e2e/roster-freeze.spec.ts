import { expect, test } from '@playwright/test';
import type { PersonDetail, UnitDetail, UnitList, UnitMember } from '@teamspiegel/contracts';
import { apiFor, expectAccessible, login, logout, watchConsole } from './helpers.ts';
import { WAITS_FOR_SECOND_ADMIN } from './roster-support.ts';

// Roster freeze and four eyes (A11, A12): the demo corps runs a wave, so a lead change in one of
// its teams proposed by one administrator takes effect only when a second one approves it.

/** Tomorrow as YYYY-MM-DD in the browser's local time. */
function tomorrow(): string {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

test('one administrator proposes a lead change during the wave, a second one approves it', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await login(page, 'demo-admin');
  const admin = await apiFor(page);
  const { items: units } = await admin.get<UnitList>('/units');
  const team = units.find((u) => u.code === 'NL-NH-ZW-ZAA-NHA');
  expect(team, 'the demo has Noodhulp A in Zaanstad').toBeTruthy();
  const detail = await admin.get<UnitDetail>(`/units/${team!.id}`);
  // A member who leads nothing yet (an earlier run against the same server made one a lead).
  let member: UnitMember | undefined;
  for (const m of detail.members ?? []) {
    if (m.kind !== 'member') continue;
    const person = await admin.get<PersonDetail>(`/people/${m.personId}`);
    if (person.memberships.every((ms) => ms.kind !== 'lead')) {
      member = m;
      break;
    }
  }
  expect(member, 'the team has a member who leads nothing').toBeTruthy();
  const name = `${member!.givenName} ${member!.familyName}`;

  // Admin 1 makes the member the team's lead from tomorrow: proposed, not applied.
  await page.goto(`/admin/people/${member!.personId}`);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const memberships = page.getByRole('region', { name: 'Lidmaatschappen' });
  await memberships.getByLabel('Zoek eenheid').fill('Noodhulp A');
  await memberships.getByLabel('Eenheid', { exact: true }).selectOption(team!.id);
  await memberships.getByLabel('Rol in de eenheid').selectOption('lead');
  await memberships.getByLabel('Vanaf').fill(tomorrow());
  await memberships.getByRole('button', { name: 'Lidmaatschap toevoegen' }).click();
  await expect(memberships.getByRole('status')).toContainText(WAITS_FOR_SECOND_ADMIN);
  // It says why: a wave runs, or opens within the organisation's freeze window.
  await expect(memberships.getByRole('status')).toContainText('bevriezingstermijn');
  await page.reload();
  await expect(
    page.getByRole('region', { name: 'Lidmaatschappen' }).getByRole('row').filter({
      hasText: 'Leidinggevende',
    }),
  ).toHaveCount(0);

  // Admin 1 sees it waiting, and cannot approve it.
  await page
    .getByRole('navigation', { name: 'Hoofdmenu' })
    .getByRole('link', { name: 'Wijzigingen' })
    .click();
  await expect(
    page.getByRole('heading', { level: 1, name: 'Wijzigingen tijdens een peiling' }),
  ).toBeVisible();
  const mine = page.getByRole('row').filter({ hasText: name }).first();
  await expect(mine).toContainText('Wacht op een andere beheerder.');
  await expect(mine.getByRole('button', { name: 'Goedkeuren' })).toHaveCount(0);
  await logout(page);

  // Admin 2 approves it on the Changes page.
  await login(page, 'demo-admin-2');
  // From here on the page runs without errors (the logout above answers 401 by design).
  const problems = watchConsole(page);
  await page.goto('/admin/changes');
  const row = page.getByRole('row').filter({ hasText: name }).first();
  await expect(row).toContainText('Lidmaatschap toevoegen');
  await row.getByRole('button', { name: 'Goedkeuren' }).click();
  await row.getByRole('group').getByRole('button', { name: 'Goedkeuren' }).click();
  await expect(page.getByRole('status')).toContainText('Goedgekeurd en doorgevoerd.');

  await page.getByRole('link', { name: 'Alle' }).click();
  const decided = page.getByRole('row').filter({ hasText: name }).first();
  await expect(decided).toContainText('Goedgekeurd');
  await expect(decided).toContainText('Daan Mulder');
  await expectAccessible(page, 'changes');

  // The person now leads the team from tomorrow.
  await page.goto(`/admin/people/${member!.personId}`);
  const leadRow = page
    .getByRole('region', { name: 'Lidmaatschappen' })
    .getByRole('row')
    .filter({ hasText: 'Leidinggevende' });
  await expect(leadRow).toHaveCount(1);
  await expect(leadRow).toContainText('Noodhulp A');
  expect(problems).toEqual([]);
});

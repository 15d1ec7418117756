import { expect, type Browser } from '@playwright/test';
import type { RosterChange, RosterChangePage } from '@teamspiegel/contracts';
import { apiFor, login } from './helpers.ts';

/** The pending-approval message a change to a roster frozen by a wave shows in Dutch. */
export const WAITS_FOR_SECOND_ADMIN = /wacht op een tweede beheerder/;

/**
 * The demo runs a wave in every organisation, so their rosters are frozen: as the second
 * administrator (demo-admin-2), in a session of their own, approves the pending change whose
 * summary contains `text`.
 */
export async function approveAsSecondAdmin(browser: Browser, text: string): Promise<RosterChange> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await login(page, 'demo-admin-2');
    const api = await apiFor(page);
    const { items } = await api.get<RosterChangePage>('/roster-changes?state=pending&pageSize=100');
    const change = items.find((c) => c.summary.includes(text));
    expect(change, `a pending change about ${text}`).toBeTruthy();
    const approved = await api.post<RosterChange>(`/roster-changes/${change!.id}/approve`, {});
    expect(approved.state).toBe('approved');
    return approved;
  } finally {
    await context.close();
  }
}

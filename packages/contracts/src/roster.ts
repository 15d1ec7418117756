import { Type, type Static } from 'typebox';
import { Id, Instant, Page, PagingQuery } from './common.ts';

/**
 * Roster freeze and four eyes (anonymity.md, A11 and A12). While a wave of a programme is
 * preparing, open or closing, a change to the membership or structure of a unit in its subtree
 * is proposed, not applied; a second administrator approves or rejects it.
 */
export const ROSTER_CHANGE_KINDS = [
  'unit_create',
  'unit_move',
  'unit_archive',
  'membership_add',
  'membership_end',
  'person_deactivate',
  /** An approved HR import run (apps/api/src/import). */
  'import',
  /** Lowering an organisation's roster.freezeWindowDays (raising applies at once). */
  'freeze_window',
  /** Lowering an organisation's retention.resultsYears or commentsMonths (raising applies at once). */
  'retention',
] as const;
export type RosterChangeKind = (typeof ROSTER_CHANGE_KINDS)[number];

export const ROSTER_CHANGE_STATES = [
  'pending',
  'approved',
  'rejected',
  'withdrawn',
  'failed',
] as const;
export type RosterChangeState = (typeof ROSTER_CHANGE_STATES)[number];

/**
 * Why the reader may not approve a change: it is decided already, it is their own proposal, they
 * and the proposer made one another's person, account or administrator role (their approval
 * would not be a second pair of eyes), or it reaches beyond where they manage the organisation.
 */
export const APPROVAL_BLOCKS = ['not_pending', 'own_proposal', 'related', 'out_of_scope'] as const;
export type ApprovalBlock = (typeof APPROVAL_BLOCKS)[number];

export const RosterChange = Type.Object(
  {
    id: Id,
    kind: Type.Enum(ROSTER_CHANGE_KINDS),
    /** What the change does, in plain words (names of units and people; never answers). */
    summary: Type.String(),
    /**
     * What the change names, for the screen to word it in the reader's language: unit, code,
     * parent, person, role (member, lead), unitKind, name, date. Empty for an import.
     */
    facts: Type.Record(Type.String(), Type.String()),
    state: Type.Enum(ROSTER_CHANGE_STATES),
    unitIds: Type.Array(Id),
    proposedBy: Id,
    proposedByName: Type.String(),
    proposedAt: Instant,
    decidedBy: Type.Union([Id, Type.Null()]),
    decidedByName: Type.Union([Type.String(), Type.Null()]),
    decidedAt: Type.Union([Instant, Type.Null()]),
    decisionNote: Type.Union([Type.String(), Type.Null()]),
    /** Why an approved change could no longer be applied. */
    failure: Type.Union([Type.String(), Type.Null()]),
    /** Whether the reader may approve it now; when not, `approvalBlock` says why. */
    canApprove: Type.Boolean(),
    approvalBlock: Type.Union([Type.Enum(APPROVAL_BLOCKS), Type.Null()]),
  },
  { additionalProperties: false },
);
export type RosterChange = Static<typeof RosterChange>;

/** The answer (202) of a change to a frozen roster: proposed, waiting for a second administrator. */
export const RosterChangePending = Type.Object(
  { status: Type.Literal('pending_approval'), change: RosterChange },
  { additionalProperties: false },
);
export type RosterChangePending = Static<typeof RosterChangePending>;

export const RosterChangeQuery = Type.Object(
  { state: Type.Optional(Type.Enum(ROSTER_CHANGE_STATES)), ...PagingQuery },
  { additionalProperties: false },
);
export type RosterChangeQuery = Static<typeof RosterChangeQuery>;

export const RosterChangePage = Page(RosterChange);
export type RosterChangePage = Static<typeof RosterChangePage>;

/** Approve, reject or withdraw: an optional note, kept with the decision and in the audit log. */
export const RosterDecisionBody = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);
export type RosterDecisionBody = Static<typeof RosterDecisionBody>;

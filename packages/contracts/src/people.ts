import { Type, type Static } from 'typebox';
import { DateOnly, Id, Instant, LanguageSchema, Page, PagingQuery } from './common.ts';
import { AssignableRoleSchema } from './roles.ts';
import { UnitKindSchema } from './org.ts';

const Name = Type.String({ minLength: 1, maxLength: 100 });
const EmployeeNumber = Type.String({ minLength: 1, maxLength: 20, pattern: '^[A-Za-z0-9-]+$' });
const Email = Type.String({ format: 'email', maxLength: 200 });

export const MEMBERSHIP_KINDS = ['member', 'lead'] as const;
export type MembershipKind = (typeof MEMBERSHIP_KINDS)[number];
export const MembershipKindSchema = Type.Enum(MEMBERSHIP_KINDS);

export const PersonSummary = Type.Object(
  {
    id: Id,
    employeeNumber: Type.String(),
    givenName: Type.String(),
    familyName: Type.String(),
    email: Type.String(),
    active: Type.Boolean(),
    /** Names of the units the person is currently a member or lead of. */
    currentUnits: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
export type PersonSummary = Static<typeof PersonSummary>;

export const PeopleQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 100 })),
    unitId: Type.Optional(Id),
    includeInactive: Type.Optional(Type.Boolean()),
    ...PagingQuery,
  },
  { additionalProperties: false },
);
export type PeopleQuery = Static<typeof PeopleQuery>;

export const PeoplePage = Page(PersonSummary);
export type PeoplePage = Static<typeof PeoplePage>;

export const Membership = Type.Object(
  {
    id: Id,
    unitId: Id,
    unitName: Type.String(),
    unitKind: UnitKindSchema,
    kind: MembershipKindSchema,
    joinedOn: DateOnly,
    leftOn: Type.Union([DateOnly, Type.Null()]),
  },
  { additionalProperties: false },
);
export type Membership = Static<typeof Membership>;

export const RoleAssignment = Type.Object(
  {
    id: Id,
    role: AssignableRoleSchema,
    unitId: Id,
    unitName: Type.String(),
    unitKind: UnitKindSchema,
  },
  { additionalProperties: false },
);
export type RoleAssignment = Static<typeof RoleAssignment>;

export const PersonDetail = Type.Object(
  {
    id: Id,
    employeeNumber: Type.String(),
    givenName: Type.String(),
    familyName: Type.String(),
    email: Type.String(),
    language: LanguageSchema,
    active: Type.Boolean(),
    username: Type.Union([Type.String(), Type.Null()]),
    createdAt: Instant,
    memberships: Type.Array(Membership),
    roleAssignments: Type.Array(RoleAssignment),
  },
  { additionalProperties: false },
);
export type PersonDetail = Static<typeof PersonDetail>;

export const CreatePersonBody = Type.Object(
  {
    employeeNumber: EmployeeNumber,
    givenName: Name,
    familyName: Name,
    email: Email,
    language: LanguageSchema,
  },
  { additionalProperties: false },
);
export type CreatePersonBody = Static<typeof CreatePersonBody>;

export const UpdatePersonBody = Type.Object(
  {
    givenName: Type.Optional(Name),
    familyName: Type.Optional(Name),
    email: Type.Optional(Email),
    language: Type.Optional(LanguageSchema),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdatePersonBody = Static<typeof UpdatePersonBody>;

export const CreateAccountBody = Type.Object(
  { username: Type.String({ minLength: 3, maxLength: 60, pattern: '^[a-z0-9][a-z0-9._-]*$' }) },
  { additionalProperties: false },
);
export type CreateAccountBody = Static<typeof CreateAccountBody>;

/** A one-time password shown once to the administrator; the person must change it at first login. */
export const CreateAccountResponse = Type.Object(
  { username: Type.String(), temporaryPassword: Type.String() },
  { additionalProperties: false },
);
export type CreateAccountResponse = Static<typeof CreateAccountResponse>;

export const AddMembershipBody = Type.Object(
  { unitId: Id, kind: MembershipKindSchema, joinedOn: DateOnly },
  { additionalProperties: false },
);
export type AddMembershipBody = Static<typeof AddMembershipBody>;

export const EndMembershipBody = Type.Object({ leftOn: DateOnly }, { additionalProperties: false });
export type EndMembershipBody = Static<typeof EndMembershipBody>;

export const AssignRoleBody = Type.Object(
  { role: AssignableRoleSchema, unitId: Id },
  { additionalProperties: false },
);
export type AssignRoleBody = Static<typeof AssignRoleBody>;

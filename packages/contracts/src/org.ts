import { Type, type Static } from 'typebox';
import { Id, Instant } from './common.ts';

/**
 * Kinds of unit. Dutch corps: corps > regional_unit > district > basisteam > team.
 * Belgian zone: zone > service (a function such as intervention) > team.
 */
export const UNIT_KINDS = [
  'corps',
  'zone',
  'regional_unit',
  'district',
  'basisteam',
  'service',
  'team',
] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];
export const UnitKindSchema = Type.Enum(UNIT_KINDS);

export const Unit = Type.Object(
  {
    id: Id,
    parentId: Type.Union([Id, Type.Null()]),
    code: Type.String(),
    name: Type.String(),
    kind: UnitKindSchema,
    archived: Type.Boolean(),
    /** Current members (member or lead) of this unit itself, not of its descendants. */
    memberCount: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type Unit = Static<typeof Unit>;

export const UnitList = Type.Object({ items: Type.Array(Unit) }, { additionalProperties: false });
export type UnitList = Static<typeof UnitList>;

export const UnitMember = Type.Object(
  {
    membershipId: Id,
    personId: Id,
    givenName: Type.String(),
    familyName: Type.String(),
    employeeNumber: Type.String(),
    kind: Type.Union([Type.Literal('member'), Type.Literal('lead')]),
    joinedOn: Type.String(),
  },
  { additionalProperties: false },
);
export type UnitMember = Static<typeof UnitMember>;

export const UnitDetail = Type.Object(
  {
    unit: Unit,
    /** From the root down to the parent. */
    ancestors: Type.Array(
      Type.Object(
        { id: Id, name: Type.String(), kind: UnitKindSchema },
        { additionalProperties: false },
      ),
    ),
    children: Type.Array(Unit),
    /** Current members; null unless the viewer may read people here (chiefs, HR, the works council may not). */
    members: Type.Union([Type.Array(UnitMember), Type.Null()]),
    createdAt: Instant,
    /**
     * K_E in force for the unit's organisation: a team with fewer eligible members has no
     * collection cell of its own and is collected in its parent's remainder (INV-11).
     */
    teamCellMinimum: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);
export type UnitDetail = Static<typeof UnitDetail>;

const UnitCode = Type.String({
  minLength: 1,
  maxLength: 40,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
});
const UnitName = Type.String({ minLength: 1, maxLength: 120 });

export const CreateUnitBody = Type.Object(
  { parentId: Id, code: UnitCode, name: UnitName, kind: UnitKindSchema },
  { additionalProperties: false },
);
export type CreateUnitBody = Static<typeof CreateUnitBody>;

export const UpdateUnitBody = Type.Object(
  { name: Type.Optional(UnitName), parentId: Type.Optional(Id) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUnitBody = Static<typeof UpdateUnitBody>;

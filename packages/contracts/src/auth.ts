import { Type, type Static } from 'typebox';
import { Id, LanguageSchema } from './common.ts';
import { PermissionSchema, RoleSchema } from './roles.ts';
import { UnitKindSchema } from './org.ts';

export const CsrfResponse = Type.Object({ token: Type.String() }, { additionalProperties: false });

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 100 }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const PasswordChangeBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 200 }),
    newPassword: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export type PasswordChangeBody = Static<typeof PasswordChangeBody>;

export const LanguageBody = Type.Object(
  { language: LanguageSchema },
  { additionalProperties: false },
);
export type LanguageBody = Static<typeof LanguageBody>;

export const RoleGrant = Type.Object(
  {
    role: RoleSchema,
    unitId: Id,
    unitName: Type.String(),
    unitKind: UnitKindSchema,
  },
  { additionalProperties: false },
);
export type RoleGrant = Static<typeof RoleGrant>;

export const MeResponse = Type.Object(
  {
    person: Type.Object(
      {
        id: Id,
        employeeNumber: Type.String(),
        givenName: Type.String(),
        familyName: Type.String(),
        email: Type.String(),
        language: LanguageSchema,
      },
      { additionalProperties: false },
    ),
    username: Type.String(),
    mustChangePassword: Type.Boolean(),
    roles: Type.Array(RoleGrant),
    permissions: Type.Array(PermissionSchema),
  },
  { additionalProperties: false },
);
export type MeResponse = Static<typeof MeResponse>;

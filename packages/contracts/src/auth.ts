import { Type, type Static } from 'typebox';
import { Uuid } from './common.js';

export const RoleSchema = Type.Union(
  [Type.Literal('owner'), Type.Literal('admin'), Type.Literal('trader'), Type.Literal('analyst'), Type.Literal('viewer')],
  { description: 'role within the organisation' },
);
export type RoleName = 'owner' | 'admin' | 'trader' | 'analyst' | 'viewer';

export const PASSWORD_MIN_LENGTH = 8;
const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: 256 });

export const RegisterBody = Type.Object(
  {
    email: Email,
    password: Password,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    organization_name: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export type RegisterBody = Static<typeof RegisterBody>;

export const LoginBody = Type.Object(
  {
    email: Email,
    password: Password,
    organization_id: Type.Optional(Uuid),
    mfa_code: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const RefreshBody = Type.Object({ refresh_token: Type.String({ minLength: 10 }) }, { additionalProperties: false });
export type RefreshBody = Static<typeof RefreshBody>;

export const LogoutBody = Type.Object({ refresh_token: Type.Optional(Type.String()) }, { additionalProperties: false });

export const ChangePasswordBody = Type.Object(
  { current_password: Password, new_password: Password },
  { additionalProperties: false },
);
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;

export const OrganizationRef = Type.Object({ id: Uuid, name: Type.String() });

export const UserView = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  organization: OrganizationRef,
  is_platform_admin: Type.Boolean(),
  permissions: Type.Array(Type.String()),
});
export type UserView = Static<typeof UserView>;

export const TokenResponse = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer({ description: 'seconds until the access token expires' }),
  user: UserView,
});
export type TokenResponse = Static<typeof TokenResponse>;

export const MemberView = Type.Object({
  user_id: Uuid,
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  active: Type.Boolean(),
  joined_at: Type.String({ format: 'date-time' }),
});
export type MemberView = Static<typeof MemberView>;

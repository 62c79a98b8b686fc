// People's accounts and their sign-in: request and response shapes.
import { Type } from 'typebox';
import { PASSWORD_MAX_LENGTH } from '../../domain/accounts';
import { ROLES } from '../../domain/hazard';
import { PageQuery, SingleLine } from './common';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Email = Type.String({ format: 'email', maxLength: 254 });
/** A password as typed: any characters but U+0000; the policy (length, variety) is checked by the route, naming the field. */
const PasswordField = (description?: string) => Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH * 4, pattern: '^[^\\u0000]*$', ...(description ? { description } : {}) });
const Password = PasswordField();

/** The signed-in person, as the console needs them: role and scope exactly as on an API key. */
export const SessionUser = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  email: Type.String(),
  role: Type.Enum(ROLES),
  scope: Nullable(Type.String({ description: 'enterprise id, county code or department code; null for admin, office and a city-wide reviewer' })),
});

export const SessionView = Type.Object({
  user: SessionUser,
  csrfToken: Type.String({ description: 'send it as x-csrf-token on every POST, PUT, PATCH and DELETE made with the session cookie' }),
});

export const LoginBody = Type.Object({ email: Email, password: Password }, { additionalProperties: false });
export const ResetRequestBody = Type.Object({ email: Email }, { additionalProperties: false });
export const ResetConfirmBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: 'the token of the mailed link' }), password: Password },
  { additionalProperties: false },
);

export const UserView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  email: Type.String(),
  role: Type.Enum(ROLES),
  scope: Nullable(Type.String()),
  active: Type.Boolean(),
  /** Whether a password is set (an account created without one gets it through a reset link). */
  passwordSet: Type.Boolean(),
  lockedUntil: Nullable(Type.String({ format: 'date-time', description: 'set while the account is locked after repeated failed sign-ins' })),
  lastLoginAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
});

export const UserBody = Type.Object(
  {
    name: SingleLine({ minLength: 1, maxLength: 100 }),
    email: Email,
    role: Type.Enum(ROLES),
    scope: Type.Optional(
      SingleLine({ minLength: 1, maxLength: 64, description: 'as on an API key: enterprise id, county code or department code; none for admin and office; for a reviewer a county or department code, or none (city-wide)' }),
    ),
    password: Type.Optional(PasswordField('at least 12 characters; omitted: the person sets one through POST /v1/auth/password-reset')),
  },
  { additionalProperties: false },
);

export const UserListQuery = Type.Object({ role: Type.Optional(Type.Enum(ROLES)), active: Type.Optional(Type.Boolean()), ...PageQuery }, { additionalProperties: false });

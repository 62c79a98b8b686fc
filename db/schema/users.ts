// People who sign in as themselves (the office console): a role and a scope exactly like an API
// key's, a password hashed with scrypt (domain-free: see db/users.repo.ts), lockout after repeated
// failures, sessions held in an HttpOnly cookie whose token is stored only as its SHA-256, and
// single-use password reset tokens (hash only). `external_issuer` + `external_subject` leave room
// for an OIDC login (a city's single sign-on) to find the same account.
import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { roleEnum } from './enums';

const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    /** Unique whatever its case (a unique index on lower(email)); kept as typed. */
    email: text('email').notNull(),
    role: roleEnum('role').notNull(),
    /** Enterprise id, county code or department code, as on an API key; null for admin, office and a city-wide reviewer. */
    scope: text('scope'),
    /** `$scrypt$ln=…,r=…,p=…$salt$hash`; null: no password yet (set through a reset link) or an OIDC-only account. */
    passwordHash: text('password_hash'),
    /** Consecutive failed sign-ins since the last success or lock. */
    failedAttempts: integer('failed_attempts').notNull().default(0),
    lockedUntil: ts('locked_until'),
    active: boolean('active').notNull().default(true),
    externalIssuer: text('external_issuer'),
    externalSubject: text('external_subject'),
    lastLoginAt: ts('last_login_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_email_lower_uq').on(sql`lower(${t.email})`),
    uniqueIndex('users_external_subject_uq').on(t.externalIssuer, t.externalSubject),
    index('users_created_idx').on(t.createdAt, t.id),
  ],
);

export const userSessions = pgTable(
  'user_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** SHA-256 (hex) of the cookie's token: the token itself is never stored. */
    tokenHash: text('token_hash').notNull().unique(),
    /** Sent back in `x-csrf-token` on every unsafe request made with this session's cookie. */
    csrfToken: text('csrf_token').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** Moves (at most once a minute) as the session is used: the idle timeout counts from here. */
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
    /** The absolute timeout: refused from then on however active. */
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('user_sessions_user_idx').on(t.userId)],
);

export const passwordResetTokens = pgTable(
  'password_reset_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** SHA-256 (hex) of the mailed token; set by the mailing activity, which alone ever holds the token. */
    tokenHash: text('token_hash').unique(),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [index('password_reset_tokens_user_idx').on(t.userId)],
);

// People's accounts: the password policy and the shape of sign-in outcomes. Pure: no IO, no clock.
import type { FieldError } from './errors';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 200;

/** What is wrong with a new password, naming the field; empty when it is acceptable. */
export function passwordProblems(password: string, field = 'password'): FieldError[] {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return [{ field, reason: `must be at least ${PASSWORD_MIN_LENGTH} characters` }];
  if (length > PASSWORD_MAX_LENGTH) return [{ field, reason: `must be at most ${PASSWORD_MAX_LENGTH} characters` }];
  if (new Set(password).size < 4) return [{ field, reason: 'must use at least 4 different characters' }];
  return [];
}

/** When an account locks: after `threshold` consecutive failures, for `lockoutMs`. */
export interface LockoutPolicy {
  threshold: number;
  lockoutMs: number;
}

/** Whether an account locked until `lockedUntil` (ms or null) is still locked at `now`. */
export const isLocked = (lockedUntil: number | null, now: number): boolean => lockedUntil !== null && lockedUntil > now;

/** Whole seconds until the lock lifts (at least 1), for Retry-After. */
export const retryAfterSeconds = (lockedUntil: number, now: number): number => Math.max(1, Math.ceil((lockedUntil - now) / 1000));

/** A session is alive until its absolute expiry, and while it was seen within the idle timeout. */
export function sessionAlive(s: { expiresAt: number; lastSeenAt: number }, idleMs: number, now: number): boolean {
  return s.expiresAt > now && s.lastSeenAt + idleMs > now;
}

/** The outbox business key of a reset request's mail: one mail per request, however often retried. */
export const passwordResetBusinessKey = (resetId: string): string => `password-reset:${resetId}`;

/** The outbox kind of a reset mail: its body (the link) is never shown in the notification list. */
export const PASSWORD_RESET_KIND = 'PASSWORD_RESET';

/** The mail with the one-time link (zh-CN, then English). */
export function renderPasswordResetMail(name: string, link: string, validMinutes: number): { subject: string; text: string } {
  return {
    subject: '重置密码 / Reset your password',
    text: [
      `${name}，您好：`,
      '',
      `请在 ${validMinutes} 分钟内打开下面的链接设置新密码（仅可使用一次）：`,
      link,
      '',
      '如果不是您本人申请，请忽略本邮件，您的密码不会改变。',
      '',
      '---',
      `Open this link within ${validMinutes} minutes to set a new password (it works once):`,
      link,
      'If you did not ask for this, ignore this mail: your password stays as it is.',
    ].join('\n'),
  };
}

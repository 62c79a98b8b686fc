// Mailing a password reset link, started by POST /v1/auth/password-reset under the reset request's
// ID (password-reset:<id>, so a second start finds the first). The activity makes the token, keeps
// only its hash and mails the link through the outbox; a mail that gives up is marked FAILED there.
// Deterministic: no IO.
import { log, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { passwordResetBusinessKey } from '../domain/accounts';
import { LEDGER, MAIL } from './activity-options';
import { failureReason } from './side-effects';

type Activities = ReturnType<typeof createActivities>;
const { abandonNotification } = proxyActivities<Activities>(LEDGER);
const { mailPasswordReset } = proxyActivities<Activities>(MAIL);

export interface PasswordResetMailInput {
  resetId: string;
}

export async function passwordResetMailWorkflow(input: PasswordResetMailInput): Promise<{ status: string }> {
  try {
    return { status: (await mailPasswordReset(input)).status };
  } catch (err) {
    const reason = failureReason(err);
    log.error('password reset mail failed', { ...input, error: reason });
    await abandonNotification({ businessKey: passwordResetBusinessKey(input.resetId), reason });
    return { status: 'FAILED' };
  }
}

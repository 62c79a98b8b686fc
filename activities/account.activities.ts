// The password reset mail. The token is made here, inside one transaction with the outbox row
// that carries its link and the hash kept on the reset request: a retried activity finds both
// and sends the stored mail again (the outbox sends each business key once), never a second token.
import { eq } from 'drizzle-orm';
import { claimOutbox } from '../db/outbox.repo';
import { notifications } from '../db/schema';
import { getResetRequest, newToken, setResetTokenHash, sha256 } from '../db/users.repo';
import { passwordResetBusinessKey, PASSWORD_RESET_KIND, renderPasswordResetMail } from '../domain/accounts';
import { deliver, messageIdFor, type DeliveryResult, type OutboxDeps } from './outbox';

export function createAccountActivities(deps: OutboxDeps) {
  const { db, mail } = deps;

  async function mailPasswordReset(input: { resetId: string }): Promise<DeliveryResult> {
    const businessKey = passwordResetBusinessKey(input.resetId);
    const found = await getResetRequest(db, input.resetId);
    const [stored] = await db.select().from(notifications).where(eq(notifications.businessKey, businessKey));
    if (!stored) {
      // Nothing to mail for a request already used, expired or of an account disabled since.
      if (!found || found.reset.usedAt || found.reset.expiresAt.getTime() <= Date.now() || !found.user.active) return { status: 'SKIPPED', businessKey, recipients: [] };
      const minutes = Math.round((found.reset.expiresAt.getTime() - found.reset.createdAt.getTime()) / 60_000);
      await db.transaction(async (tx) => {
        const token = newToken();
        if (!(await setResetTokenHash(tx, input.resetId, sha256(token)))) return;
        const { subject, text } = renderPasswordResetMail(found.user.name, `${mail.publicUrl}/reset-password?token=${token}`, minutes);
        await claimOutbox(tx, { businessKey, hazardId: null, campaignId: null, kind: PASSWORD_RESET_KIND, deadlineVersion: null, recipients: [found.user.email], subject, bodyText: text, locale: 'zh-CN', messageId: messageIdFor(businessKey) });
      });
    }
    const [row] = await db.select().from(notifications).where(eq(notifications.businessKey, businessKey));
    if (!row) return { status: 'SKIPPED', businessKey, recipients: [] };
    // The row is there: deliver sends what it holds (or reports the outcome recorded before).
    return deliver(deps, { businessKey, hazardId: null, campaignId: null, kind: row.kind, deadlineVersion: null, recipients: row.recipients, subject: row.subject, bodyText: row.bodyText, locale: row.locale });
  }

  return { mailPasswordReset };
}

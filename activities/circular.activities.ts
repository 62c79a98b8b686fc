// Mailing a published monthly circular (通报) to the units taking part: one outbox row per unit,
// keyed by campaign, month and unit, so a retried activity (or a second run) never mails twice.
import { ApplicationFailure } from '@temporalio/activity';
import { eq } from 'drizzle-orm';
import { participantsOf } from '../db/campaign-admin.repo';
import { getCircular } from '../db/circulars.repo';
import { units } from '../db/schema';
import { circularMailSubject, type CircularFigures } from '../domain/circular';
import { circularNoticeKey } from '../domain/delivery';
import { ErrorCode } from '../domain/errors';
import { deliver, uniqueEmails, type DeliveryResult, type OutboxDeps } from './outbox';

export const CIRCULAR_NOTIFICATION_KIND = 'CIRCULAR_PUBLISHED';

export function createCircularActivities(deps: OutboxDeps) {
  const { db } = deps;

  /** The units taking part in the campaign, by code: who the circular goes to. */
  async function circularRecipients(input: { campaignId: string }): Promise<string[]> {
    return (await participantsOf(db, input.campaignId)).map((p) => p.unitCode);
  }

  /** The published circular as frozen (its Markdown is the mail's text, its HTML the alternative), to one unit's mailbox. */
  async function sendCircular(input: { campaignId: string; month: string; unitCode: string }): Promise<DeliveryResult> {
    const circular = await getCircular(db, input.campaignId, input.month);
    if (!circular || circular.status !== 'PUBLISHED') {
      throw ApplicationFailure.create({ type: ErrorCode.NOT_FOUND, message: `no published circular for ${input.campaignId} ${input.month}`, nonRetryable: true });
    }
    const [unit] = await db.select().from(units).where(eq(units.code, input.unitCode));
    return deliver(deps, {
      businessKey: circularNoticeKey(input),
      hazardId: null,
      campaignId: input.campaignId,
      kind: CIRCULAR_NOTIFICATION_KIND,
      deadlineVersion: null,
      recipients: uniqueEmails([unit?.email]),
      subject: circularMailSubject(circular.figures as unknown as CircularFigures),
      bodyText: circular.markdown,
      html: circular.html,
      locale: 'zh-CN',
      headers: { 'X-Campaign-Id': input.campaignId, 'X-Circular-Month': input.month, 'X-Circular-Sha256': circular.contentSha256 },
    });
  }

  return { circularRecipients, sendCircular };
}

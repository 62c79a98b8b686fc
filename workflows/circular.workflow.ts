// Mailing a published monthly circular (通报), started by the publish (ID circular-mail:<campaign>:<month>,
// so a second start finds the first). The circular is frozen on the ledger before this starts: mail
// never gates the publish. Each unit's mail is its own activity; one that gives up without
// recording its outcome is marked FAILED on the outbox, the others go on. Deterministic: no IO.
import { log, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { circularNoticeKey } from '../domain/delivery';
import { LEDGER, MAIL } from './activity-options';
import { failureReason } from './side-effects';

type Activities = ReturnType<typeof createActivities>;
const { circularRecipients, abandonNotification } = proxyActivities<Activities>(LEDGER);
const { sendCircular } = proxyActivities<Activities>(MAIL);

export interface CircularMailInput {
  campaignId: string;
  month: string;
}

export async function circularMailWorkflow(input: CircularMailInput): Promise<{ units: number; failed: string[] }> {
  const unitCodes = await circularRecipients({ campaignId: input.campaignId });
  const failed: string[] = [];
  await Promise.all(
    unitCodes.map(async (unitCode) => {
      try {
        const result = await sendCircular({ ...input, unitCode });
        if (result.status === 'FAILED' || result.status === 'PARTIALLY_SENT' || result.status === 'SKIPPED') failed.push(unitCode);
      } catch (err) {
        const reason = failureReason(err);
        log.error('circular mail failed', { ...input, unitCode, error: reason });
        failed.push(unitCode);
        await abandonNotification({ businessKey: circularNoticeKey({ ...input, unitCode }), reason });
      }
    }),
  );
  return { units: unitCodes.length, failed: failed.sort() };
}

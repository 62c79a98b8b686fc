// Mail through the outbox: the row (unique on its business key) is written before sending,
// with a deterministic Message-ID, so a retried activity never mails twice in practice and
// the office can see what was sent.
import { createHash } from 'node:crypto';
import { log } from '@temporalio/activity';
import type { Db } from '../db/client';
import { claimOutbox, markOutbox, type NewOutboxRow } from '../db/outbox.repo';
import type { Mailer } from './mailer';

export interface OutboxDeps {
  db: Db;
  mailer: Mailer;
  mail: {
    from: string;
    /** The safety office's mailbox(es): escalations and missed duties go there. */
    officeEmails: string[];
    /** Base URL of the API, for links in mails. */
    publicUrl: string;
  };
}

/** Addresses from any number of lists, blanks dropped, each once. */
export function uniqueEmails(...lists: (string | null | undefined)[][]): string[] {
  return [...new Set(lists.flat().filter((e): e is string => typeof e === 'string' && e.includes('@')))];
}

export type DeliveryResult = { status: 'SENT' | 'ALREADY_SENT' | 'SKIPPED'; businessKey: string; recipients: string[] };

export const messageIdFor = (businessKey: string): string =>
  `<${createHash('sha256').update(businessKey).digest('hex').slice(0, 32)}@hazard-campaign>`;

export async function deliver(deps: OutboxDeps, row: Omit<NewOutboxRow, 'messageId'> & { headers?: Record<string, string> }): Promise<DeliveryResult> {
  const { headers, ...rest } = row;
  const businessKey = row.businessKey;
  const outbox = await claimOutbox(deps.db, { ...rest, messageId: messageIdFor(businessKey) });
  if (outbox.status !== 'PENDING') return { status: 'ALREADY_SENT', businessKey, recipients: outbox.recipients };
  if (outbox.recipients.length === 0) {
    log.warn('notification has no recipient address', { businessKey });
    await markOutbox(deps.db, outbox.id, { status: 'SKIPPED' });
    return { status: 'SKIPPED', businessKey, recipients: [] };
  }
  try {
    // The stored text is sent, not a fresh render: a retry mails exactly what the outbox shows.
    await deps.mailer.send({
      from: deps.mail.from,
      to: outbox.recipients,
      subject: outbox.subject,
      text: outbox.bodyText,
      messageId: outbox.messageId,
      headers: { ...headers, 'X-Notification-Kind': outbox.kind, 'X-Business-Key': businessKey },
    });
  } catch (err) {
    await markOutbox(deps.db, outbox.id, { error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
  await markOutbox(deps.db, outbox.id, { status: 'SENT' });
  return { status: 'SENT', businessKey, recipients: outbox.recipients };
}

// Mail through the outbox: the row (unique on its business key) is written before sending,
// with a deterministic Message-ID, so a retried activity never mails twice in practice and
// the office can see what was sent. A refusal that cannot heal ends the row as FAILED (or
// PARTIALLY_SENT, per recipient) and returns: the workflow's step goes on. A failure that can
// heal throws a retryable error, until the retry budget is spent.
import { createHash } from 'node:crypto';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { Db } from '../db/client';
import { claimOutbox, recordOutboxAttempt, type NewOutboxRow, type OutboxRow } from '../db/outbox.repo';
import {
  classifySmtpFailure,
  describeSmtpFailure,
  finalStatus,
  MAIL_RETRY,
  pendingRecipients,
  SideEffectErrorType,
  type NotificationStatus,
  type RecipientFailure,
  type SmtpFailure,
} from '../domain/delivery';
import { rejectedRecipients, type Mailer, type SendOutcome } from './mailer';

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

export type DeliveryResult = { status: NotificationStatus | 'ALREADY_SENT'; businessKey: string; recipients: string[] };

export const messageIdFor = (businessKey: string): string =>
  `<${createHash('sha256').update(businessKey).digest('hex').slice(0, 32)}@hazard-campaign>`;

/** The attempt number when running as an activity (1 outside one: a direct call is a single attempt). */
const currentAttempt = (): number => {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
};

/** Sends to the recipients still pending; an error with no per-recipient detail counts against all of them. */
async function attempt(to: string[], send: (to: string[]) => Promise<SendOutcome>): Promise<SendOutcome> {
  try {
    return await send(to);
  } catch (err) {
    const failure = err as SmtpFailure & { rejected?: unknown; rejectedErrors?: unknown };
    const perRecipient = rejectedRecipients(failure, failure);
    return { accepted: [], rejected: perRecipient.length > 0 ? perRecipient : to.map((address) => ({ address, failure })) };
  }
}

/**
 * `html`, when given, is sent as the text's alternative; it must be as immutable as the business key
 * (the circular's frozen HTML), since only the text is kept on the outbox.
 */
export type OutgoingRow = Omit<NewOutboxRow, 'messageId'> & { headers?: Record<string, string>; html?: string };

/** The outbox row of a mail (its Message-ID derived from the business key), to claim with `claimOutbox`. */
export function outboxRowOf(row: OutgoingRow): NewOutboxRow {
  const stored: OutgoingRow = { ...row };
  delete stored.headers;
  delete stored.html;
  return { ...stored, messageId: messageIdFor(row.businessKey) };
}

export async function deliver(deps: OutboxDeps, row: OutgoingRow): Promise<DeliveryResult> {
  return sendClaimed(deps, await claimOutbox(deps.db, outboxRowOf(row)), row);
}

/**
 * Sends a mail whose outbox row is claimed (`outbox`, as stored). `lastAttempt` says whether a
 * temporary refusal is final; by default, when the activity's attempt is the mail budget's last.
 */
export async function sendClaimed(deps: OutboxDeps, outbox: OutboxRow, row: Pick<OutgoingRow, 'headers' | 'html'>, opts: { lastAttempt?: boolean } = {}): Promise<DeliveryResult> {
  const { headers, html } = row;
  const businessKey = outbox.businessKey;
  // Decided before (a retry of an attempt whose answer was lost): report that outcome, send nothing.
  if (outbox.status === 'SENT') return { status: 'ALREADY_SENT', businessKey, recipients: outbox.deliveredTo.length > 0 ? outbox.deliveredTo : outbox.recipients };
  if (outbox.status !== 'PENDING') return { status: outbox.status, businessKey, recipients: outbox.deliveredTo };
  if (outbox.recipients.length === 0) {
    log.warn('notification has no recipient address', { businessKey });
    await recordOutboxAttempt(deps.db, outbox.id, { status: 'SKIPPED', deliveredTo: [], failedRecipients: [], error: 'no recipient address' });
    return { status: 'SKIPPED', businessKey, recipients: [] };
  }
  const to = pendingRecipients(outbox);
  // The stored text is sent, not a fresh render: a retry mails exactly what the outbox shows.
  const outcome = await attempt(to, (recipients) =>
    deps.mailer.send({
      from: deps.mail.from,
      to: recipients,
      subject: outbox.subject,
      text: outbox.bodyText,
      ...(html === undefined ? {} : { html }),
      messageId: outbox.messageId,
      headers: { ...headers, 'X-Notification-Kind': outbox.kind, 'X-Business-Key': businessKey },
    }),
  );

  const deliveredTo = [...new Set([...outbox.deliveredTo, ...outcome.accepted.filter((a) => to.includes(a))])];
  // Accepted now: not failed any more. Refused now: the newest reason replaces an older one.
  const refused = new Map<string, RecipientFailure>(outbox.failedRecipients.filter((f) => !deliveredTo.includes(f.address)).map((f) => [f.address, f]));
  for (const { address, failure } of outcome.rejected) {
    refused.set(address, { address, reason: describeSmtpFailure(failure), permanent: classifySmtpFailure(failure) === 'PERMANENT' });
  }
  const exhausted = opts.lastAttempt ?? currentAttempt() >= MAIL_RETRY.maximumAttempts;
  // Out of budget, a temporary refusal is final too: the office sees the mail as failed, with why.
  const failedRecipients = [...refused.values()].map((f) => (exhausted ? { ...f, permanent: true } : f));
  const progress = { recipients: outbox.recipients, deliveredTo, failedRecipients };
  const stillPending = pendingRecipients(progress);
  const lastError = outcome.rejected.length > 0 ? describeSmtpFailure(outcome.rejected[0]!.failure) : null;

  if (stillPending.length > 0) {
    await recordOutboxAttempt(deps.db, outbox.id, { status: 'PENDING', deliveredTo, failedRecipients, error: lastError });
    throw ApplicationFailure.retryable(`mail ${businessKey} not yet delivered to ${stillPending.join(', ')}: ${lastError ?? 'unknown'}`, SideEffectErrorType.MAIL_TEMPORARY);
  }
  const status = finalStatus(progress);
  await recordOutboxAttempt(deps.db, outbox.id, { status, deliveredTo, failedRecipients, error: status === 'SENT' ? null : lastError ?? failedRecipients[0]?.reason ?? null });
  if (status !== 'SENT') log.warn('mail refused', { businessKey, status, failedRecipients });
  return { status, businessKey, recipients: deliveredTo };
}

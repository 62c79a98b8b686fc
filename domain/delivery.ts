// Mail delivery as policy data and a pure classification of what an SMTP server answered.
// A mail is a side effect of a step, never its gate: what cannot heal ends as FAILED on the
// outbox, what can heal is retried with backoff within a bounded budget.

/** Outbox statuses, mirrored by a Postgres enum. */
export const NOTIFICATION_STATUSES = ['PENDING', 'SENT', 'PARTIALLY_SENT', 'FAILED', 'SKIPPED'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/**
 * Retry budget of one mail: 2 s doubling to 10 minutes, 40 attempts (about five and a half hours
 * of an SMTP outage). After that the mail is FAILED with its last error, visible to the office.
 */
export const MAIL_RETRY = { initialIntervalMs: 2_000, backoffCoefficient: 2, maximumIntervalMs: 600_000, maximumAttempts: 40 } as const;

/** Error types an activity throws; a workflow's retry policy lists the non-retryable ones. */
export const SideEffectErrorType = {
  /** The mail server is unreachable or answered 4xx: retry later. */
  MAIL_TEMPORARY: 'MAIL_TEMPORARY',
  /** The database refused the data itself (not the connection): retrying cannot help. */
  LEDGER_REJECTED: 'LEDGER_REJECTED',
} as const;

export type SmtpVerdict = 'PERMANENT' | 'TEMPORARY';

/** What nodemailer reports on a failed send or a refused recipient (only the fields we read). */
export interface SmtpFailure {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/**
 * 5xx answers (unknown mailbox, policy refusal, message refused) cannot heal by retrying; 4xx
 * answers, refused or dropped connections, timeouts and DNS failures can. A bad login (EAUTH) is
 * a configuration fault the operator can fix: it is retried within the budget, not dropped.
 */
export function classifySmtpFailure(f: SmtpFailure): SmtpVerdict {
  if (typeof f.responseCode === 'number') {
    if (f.responseCode >= 500 && f.responseCode < 600 && f.code !== 'EAUTH') return 'PERMANENT';
    return 'TEMPORARY';
  }
  // No SMTP reply code: a socket, TLS, DNS or timeout failure.
  return 'TEMPORARY';
}

/** One line for the outbox: the server's reply when there is one, else the error. */
export function describeSmtpFailure(f: SmtpFailure): string {
  const text = (f.response ?? f.message ?? 'unknown failure').replace(/\s+/g, ' ').trim();
  return (f.code ? `${f.code}: ${text}` : text).slice(0, 1000);
}

export interface RecipientFailure {
  address: string;
  reason: string;
  permanent: boolean;
}

export interface DeliveryProgress {
  recipients: string[];
  deliveredTo: string[];
  failedRecipients: RecipientFailure[];
}

/** Recipients still to try: not delivered, not refused for good. */
export function pendingRecipients(p: DeliveryProgress): string[] {
  const done = new Set([...p.deliveredTo, ...p.failedRecipients.filter((f) => f.permanent).map((f) => f.address)]);
  return p.recipients.filter((r) => !done.has(r));
}

/** The outcome once nothing is pending: every recipient reached, some, or none. */
export function finalStatus(p: DeliveryProgress): Exclude<NotificationStatus, 'PENDING' | 'SKIPPED'> {
  if (p.deliveredTo.length === 0) return 'FAILED';
  return p.deliveredTo.length === p.recipients.length ? 'SENT' : 'PARTIALLY_SENT';
}

/** The outbox's business key of a hazard notice: one mail per hazard, deadline version and event. */
export const hazardNoticeKey = (r: { hazardId: string; deadlineVersion: number; eventKey: string }): string => `hazard:${r.hazardId}:v${r.deadlineVersion}:${r.eventKey}`;

/** The outbox's business key of a duty notice: one mail per obligation and event. */
export const dutyNoticeKey = (r: { obligationId: string; eventKey: string }): string => `duty:${r.obligationId}:${r.eventKey}`;

/** The outbox's business key of a case notice: one mail per case, review window and event. */
export const caseNoticeKey = (r: { caseId: string; window: number; eventKey: string }): string => `case:${r.caseId}:w${r.window}:${r.eventKey}`;

/** The outbox's business key of an enforcement order's notice: one mail per order and event (`issued`, `reminder:P3D`, `body:2`). */
export const orderNoticeKey = (r: { orderId: string; eventKey: string }): string => `order:${r.orderId}:${r.eventKey}`;

/** A published monthly circular (通报) mailed to one participating unit: once per campaign, month and unit. */
export const circularNoticeKey = (r: { campaignId: string; month: string; unitCode: string }): string => `circular:${r.campaignId}:${r.month}:${r.unitCode}`;

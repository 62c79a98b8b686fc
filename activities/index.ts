// Every side effect the workflows need. Built by a factory so tests inject a real test
// database and a real SMTP sink; every activity is idempotent (activities run at least once).
import { createHash } from 'node:crypto';
import { log } from '@temporalio/activity';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { applyLedgerEntries, openReview, type LedgerEntry } from '../db/ledger.repo';
import { claimOutbox, markOutbox } from '../db/outbox.repo';
import { enterprises, hazards, units } from '../db/schema';
import type { NotificationKind } from '../domain/hazard';
import type { Mailer } from './mailer';
import { renderNotification, type Locale } from './notification-templates';

export type { LedgerEntry } from '../db/ledger.repo';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  mail: {
    from: string;
    /** The safety office's mailbox(es): escalations go there. */
    officeEmails: string[];
    /** Base URL of the API, for links in mails. */
    publicUrl: string;
  };
}

export interface NotificationRequest {
  hazardId: string;
  kind: NotificationKind;
  /** Unique per hazard and deadline version: `reminder:P3D`, `overdue`, `rejected:<seq>`. */
  eventKey: string;
  deadlineVersion: number;
  data: Record<string, unknown>;
}

export type NotificationResult = { status: 'SENT' | 'ALREADY_SENT' | 'SKIPPED'; businessKey: string; recipients: string[] };

export const notificationBusinessKey = (r: Pick<NotificationRequest, 'hazardId' | 'eventKey' | 'deadlineVersion'>): string =>
  `hazard:${r.hazardId}:v${r.deadlineVersion}:${r.eventKey}`;

export const messageIdFor = (businessKey: string): string =>
  `<${createHash('sha256').update(businessKey).digest('hex').slice(0, 32)}@hazard-campaign>`;

function uniqueEmails(...lists: (string | null | undefined)[][]): string[] {
  return [...new Set(lists.flat().filter((e): e is string => typeof e === 'string' && e.includes('@')))];
}

export function createActivities(deps: ActivityDeps) {
  const { db, mailer, mail } = deps;

  async function recordHazardTransition(entry: LedgerEntry): Promise<void> {
    await applyLedgerEntries(db, [entry]);
  }

  /** Several steps taken at once (registration and its automatic steps) in one round trip. */
  async function recordHazardTransitions(entries: LedgerEntry[]): Promise<void> {
    if (entries.length > 0) await applyLedgerEntries(db, entries);
  }

  async function openAccountabilityReview(input: { hazardId: string; deadlineVersion: number; reason: string; at: string }): Promise<{ reviewId: string }> {
    return { reviewId: await openReview(db, input) };
  }

  async function sendHazardNotification(req: NotificationRequest): Promise<NotificationResult> {
    const [row] = await db
      .select({ hazard: hazards, enterprise: enterprises, department: units })
      .from(hazards)
      .innerJoin(enterprises, eq(enterprises.id, hazards.enterpriseId))
      .leftJoin(units, eq(units.code, hazards.departmentCode))
      .where(eq(hazards.id, req.hazardId));
    if (!row) throw new Error(`hazard ${req.hazardId} not on the ledger`);
    const { hazard: h, enterprise: ent, department: dept } = row;
    const people = [h.responsibleEmail, h.principalEmail ?? ent.principalEmail];
    const recipients: Record<NotificationKind, string[]> = {
      REMINDER: uniqueEmails(people),
      OVERDUE: uniqueEmails(people, [dept?.email]),
      REPORTED_TO_REGULATOR: uniqueEmails([dept?.email]),
      LISTED_FOR_SUPERVISION: uniqueEmails(people),
      REJECTED: uniqueEmails(people),
      EXTENSION_DECIDED: uniqueEmails(people),
      ESCALATED: uniqueEmails(mail.officeEmails, [dept?.email]),
    };
    const locale: Locale = ent.locale === 'en' ? 'en' : 'zh-CN';
    const deadline = typeof req.data.deadline === 'string' ? req.data.deadline : h.deadline.toISOString();
    const { subject, text } = renderNotification(req.kind, locale, {
      hazardId: h.id,
      enterpriseName: ent.name,
      description: h.description,
      location: h.location,
      grade: h.grade,
      responsibleName: h.responsibleName,
      deadline,
      timeZone: h.timeZone,
      data: req.data,
      link: `${mail.publicUrl}/v1/hazards/${h.id}`,
    });
    const businessKey = notificationBusinessKey(req);
    const to = recipients[req.kind];
    const outbox = await claimOutbox(db, {
      businessKey,
      hazardId: h.id,
      kind: req.kind,
      deadlineVersion: req.deadlineVersion,
      recipients: to,
      subject,
      bodyText: text,
      locale,
      messageId: messageIdFor(businessKey),
    });
    if (outbox.status !== 'PENDING') return { status: 'ALREADY_SENT', businessKey, recipients: outbox.recipients };
    if (outbox.recipients.length === 0) {
      log.warn('notification has no recipient address', { businessKey });
      await markOutbox(db, outbox.id, { status: 'SKIPPED' });
      return { status: 'SKIPPED', businessKey, recipients: [] };
    }
    try {
      // The stored text is sent, not a fresh render: a retry mails exactly what the outbox shows.
      await mailer.send({
        from: mail.from,
        to: outbox.recipients,
        subject: outbox.subject,
        text: outbox.bodyText,
        messageId: outbox.messageId,
        headers: { 'X-Hazard-Id': h.id, 'X-Notification-Kind': req.kind, 'X-Business-Key': businessKey },
      });
    } catch (err) {
      await markOutbox(db, outbox.id, { error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
    await markOutbox(db, outbox.id, { status: 'SENT' });
    return { status: 'SENT', businessKey, recipients: outbox.recipients };
  }

  return { recordHazardTransition, recordHazardTransitions, openAccountabilityReview, sendHazardNotification };
}

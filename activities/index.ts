// Every side effect the workflows need. Built by a factory so tests inject a real test
// database and a real SMTP sink; every activity is idempotent (activities run at least once).
import { ApplicationFailure } from '@temporalio/activity';
import { eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { resolveContents } from '../db/contents.repo';
import { hazardCauseRef } from '../domain/accountability';
import { resolveCaseCauses } from '../services/case.service';
import { openCaseForReview } from '../services/case-openers';
import { abandonOutbox, claimOutbox } from '../db/outbox.repo';
import { applyLedgerEntries, openReview, type LedgerEntry } from '../db/ledger.repo';
import { enterprises, hazards, units } from '../db/schema';
import { consoleLink } from '../domain/console-links';
import { hazardNoticeKey, SideEffectErrorType } from '../domain/delivery';
import type { NotificationKind } from '../domain/hazard';
import { createCampaignActivities, type CampaignActivityDeps } from './campaign.activities';
import { createAccountActivities } from './account.activities';
import { createCaseActivities } from './case.activities';
import { createCircularActivities } from './circular.activities';
import { createOrderActivities } from './order.activities';
import { createWebhookActivities, type WebhookDeliveryDeps } from './webhook.activities';
import { ledgerWrite } from './ledger-errors';
import { deliver, outboxRowOf, sendClaimed, uniqueEmails, type DeliveryResult, type OutboxDeps, type OutgoingRow } from './outbox';
import { renderNotification, type Locale } from './notification-templates';

/** The units table again, for the hazard's county beside its department. */
const countyUnits = alias(units, 'county_unit');

export type { LedgerEntry } from '../db/ledger.repo';

export type { AssignmentPage, AssignmentPageArgs, CampaignEventEntry, DutyLedgerEntry } from './campaign.activities';

export type { CaseLedgerEntry, CaseNotificationKind, CaseNotificationRequest } from './case.activities';

export type { OrderLedgerEntry, OrderNotificationKind, OrderNotificationRequest } from './order.activities';

/** `webhooks`: where endpoints may point and one attempt's deadline (config); private targets refused when absent. */
export type ActivityDeps = OutboxDeps & Pick<CampaignActivityDeps, 'temporal'> & { webhooks?: WebhookDeliveryDeps };

export interface NotificationRequest {
  hazardId: string;
  kind: NotificationKind;
  /** Unique per hazard and deadline version: `reminder:P3D`, `overdue`, `rejected:<seq>`. */
  eventKey: string;
  deadlineVersion: number;
  data: Record<string, unknown>;
}

export type NotificationResult = DeliveryResult;

export const notificationBusinessKey = hazardNoticeKey;

export function createActivities(deps: ActivityDeps) {
  const { db, mail } = deps;

  /** Content the workflow carries by id (evidence) is put back in full on the ledger event. */
  const withContent = (entries: LedgerEntry[]) => resolveContents(db, entries, (e) => e.data, (e, data) => ({ ...e, data }));

  /** A hazard closed: the accountability cases it caused record that (they stay for their reviewer to decide). */
  async function afterHazardSteps(entries: LedgerEntry[]): Promise<void> {
    for (const e of entries) {
      if (e.type === 'CLOSED') await resolveCaseCauses(db, deps.temporal, { kind: 'HAZARD_ESCALATION', refPrefix: hazardCauseRef(e.hazardId, null), note: 'hazard closed (销号)' }, e.actor);
    }
  }

  async function recordHazardTransition(entry: LedgerEntry): Promise<void> {
    await ledgerWrite(`hazard ${entry.hazardId} event ${entry.seq}`, async () => applyLedgerEntries(db, await withContent([entry])));
    await afterHazardSteps([entry]);
  }

  /** Several steps taken at once (registration and its automatic steps) in one round trip. */
  async function recordHazardTransitions(entries: LedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await ledgerWrite(`hazard ${entries[0]!.hazardId} events ${entries[0]!.seq}..${entries.at(-1)!.seq}`, async () => applyLedgerEntries(db, await withContent(entries)));
    await afterHazardSteps(entries);
  }

  /**
   * A hazard past its escalation step: the review record, and an accountability case against the
   * supervising department for rectification pursued ineffectively (隐患排查整治不力, plan item 45),
   * opened or joined (one open case per department and cause kind); the record is then marked
   * CASE_OPENED. The reconciler does the same for records left OPEN (services/case-openers.ts).
   */
  async function openAccountabilityReview(input: { hazardId: string; deadlineVersion: number; reason: string; at: string }): Promise<{ reviewId: string }> {
    const reviewId = await ledgerWrite(`review of hazard ${input.hazardId}`, () => openReview(db, input));
    await openCaseForReview(db, deps.temporal, { id: reviewId, hazardId: input.hazardId, deadlineVersion: input.deadlineVersion, reason: input.reason, openedAt: new Date(input.at) });
    return { reviewId };
  }

  /** A hazard notice rendered from the ledger row: recipients by kind, the enterprise's locale. */
  async function hazardNotice(req: NotificationRequest): Promise<OutgoingRow & { headers: Record<string, string> }> {
    const [row] = await db
      .select({ hazard: hazards, enterprise: enterprises, department: units, county: countyUnits })
      .from(hazards)
      .innerJoin(enterprises, eq(enterprises.id, hazards.enterpriseId))
      .leftJoin(units, eq(units.code, hazards.departmentCode))
      .leftJoin(countyUnits, eq(countyUnits.code, hazards.countyCode))
      .where(eq(hazards.id, req.hazardId));
    if (!row) throw new Error(`hazard ${req.hazardId} not on the ledger`);
    const { hazard: h, enterprise: ent, department: dept, county } = row;
    const people = [h.responsibleEmail, h.principalEmail ?? ent.principalEmail];
    const recipients: Record<NotificationKind, string[]> = {
      REMINDER: uniqueEmails(people),
      OVERDUE: uniqueEmails(people, [dept?.email]),
      // 属地: the county where the enterprise sits is told as well as its department.
      REPORTED_TO_REGULATOR: uniqueEmails([dept?.email, county?.email]),
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
      link: consoleLink(mail.publicUrl, 'hazards', h.id),
    });
    return {
      businessKey: notificationBusinessKey(req),
      hazardId: h.id,
      campaignId: h.campaignId,
      kind: req.kind,
      deadlineVersion: req.deadlineVersion,
      recipients: recipients[req.kind],
      subject,
      bodyText: text,
      locale,
      headers: { 'X-Hazard-Id': h.id },
    };
  }

  async function sendHazardNotification(req: NotificationRequest): Promise<NotificationResult> {
    return deliver(deps, await hazardNotice(req));
  }

  /**
   * A timer's step and its notice in one activity (workflow patch 'step-with-its-notice'): the
   * ledger step and the outbox row in one transaction (both idempotent: workflow + seq, business
   * key), then one try at the mail. A try that may heal leaves the row PENDING and answers PENDING:
   * the workflow then retries the mail with the mail's bounded budget (sendHazardNotification), so
   * this activity, retried only for the database, never retries mail without bound.
   */
  async function recordHazardStepWithNotice(input: { entry: LedgerEntry; notice: NotificationRequest }): Promise<NotificationResult> {
    const { entry } = input;
    const mail = await hazardNotice(input.notice);
    const outbox = await ledgerWrite(`hazard ${entry.hazardId} event ${entry.seq} and its notice`, async () => {
      const entries = await withContent([entry]);
      return db.transaction(async (tx) => {
        await applyLedgerEntries(tx, entries);
        return claimOutbox(tx, outboxRowOf(mail));
      });
    });
    await afterHazardSteps([entry]);
    try {
      return await sendClaimed(deps, outbox, mail, { lastAttempt: false });
    } catch (err) {
      if (err instanceof ApplicationFailure && err.type === SideEffectErrorType.MAIL_TEMPORARY) return { status: 'PENDING', businessKey: outbox.businessKey, recipients: [] };
      throw err;
    }
  }

  /** A mail whose activity gave up without recording an outcome (its last attempt timed out): FAILED, visibly. */
  async function abandonNotification(input: { businessKey: string; reason: string }): Promise<void> {
    await ledgerWrite(`outbox ${input.businessKey}`, () => abandonOutbox(db, input.businessKey, input.reason));
  }

  return { abandonNotification, recordHazardStepWithNotice, recordHazardTransition, recordHazardTransitions, openAccountabilityReview, sendHazardNotification, ...createCampaignActivities(deps), ...createCaseActivities(deps), ...createOrderActivities(deps), ...createCircularActivities(deps), ...createWebhookActivities(deps), ...createAccountActivities(deps) };
}

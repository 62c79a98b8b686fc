// Side effects of the accountability case workflow: its ledger writes and its mail.
import { and, asc, eq, gt, inArray, isNotNull, isNull, or } from 'drizzle-orm';
import { applyCaseEntries, type CaseLedgerEntry } from '../db/cases.repo';
import { apiKeys } from '../db/schema';
import type { CaseCause, CaseRung, CaseSubject, ReferralBody } from '../domain/accountability';
import { consoleLink } from '../domain/console-links';
import { caseNoticeKey } from '../domain/delivery';
import { renderCaseNotification, type CaseNotificationKind } from './case-templates';
import { ledgerWrite } from './ledger-errors';
import { deliver, uniqueEmails, type DeliveryResult, type OutboxDeps } from './outbox';

export type { CaseLedgerEntry } from '../db/cases.repo';
export type { CaseNotificationKind } from './case-templates';

export interface CaseNotificationRequest {
  caseId: string;
  kind: CaseNotificationKind;
  /** The review window (1, 2, …) and its event (`requested`, `reminder:P2D`, `overdue`): one mail each. */
  window: number;
  eventKey: string;
  subject: CaseSubject;
  campaignId: string | null;
  rung: CaseRung;
  reviewDueAt: string;
  timeZone: string;
  summonsAt: string | null;
  referralTo: ReferralBody | null;
  causes: CaseCause[];
  /** The reviewers named for this case (cases opened before reviewers were looked up); otherwise looked up when sending. */
  reviewerEmails?: string[];
}

export function createCaseActivities(deps: OutboxDeps) {
  const { db, mail } = deps;

  async function recordCaseEvents(entries: CaseLedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await ledgerWrite(`case ${entries[0]!.caseId} events ${entries[0]!.seq}..${entries.at(-1)!.seq}`, () => applyCaseEntries(db, entries));
  }

  /**
   * The right reviewers, looked up when a mail goes out (a key created or revoked meanwhile counts):
   * the mailboxes of active reviewer keys whose scope covers the case (city-wide, or the case's
   * county, department or subject).
   */
  async function reviewersOf(subject: CaseSubject): Promise<string[]> {
    const scopes = [subject.ref, subject.countyCode, subject.departmentCode].filter((x): x is string => typeof x === 'string' && x !== '');
    const rows = await db
      .select({ email: apiKeys.email })
      .from(apiKeys)
      .where(
        and(
          eq(apiKeys.role, 'reviewer'),
          isNull(apiKeys.revokedAt),
          or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, new Date())),
          isNotNull(apiKeys.email),
          or(isNull(apiKeys.scope), inArray(apiKeys.scope, scopes)),
        ),
      )
      .orderBy(asc(apiKeys.email));
    return uniqueEmails(rows.map((r) => r.email));
  }

  /**
   * Reviewers are asked and reminded: those named in the workflow's input, else the reviewers in
   * scope, else the office (someone must be asked). When a review window ends undecided the office head is told too.
   */
  async function sendCaseNotification(req: CaseNotificationRequest): Promise<DeliveryResult> {
    const named = req.reviewerEmails && req.reviewerEmails.length > 0 ? req.reviewerEmails : await reviewersOf(req.subject);
    const reviewers = named.length > 0 ? named : mail.officeEmails;
    const recipients = req.kind === 'CASE_REVIEW_OVERDUE' ? uniqueEmails(mail.officeEmails, reviewers) : uniqueEmails(reviewers);
    const { subject, text } = renderCaseNotification(req.kind, {
      caseId: req.caseId,
      subjectName: [req.subject.name ?? req.subject.ref, req.subject.officialName].filter(Boolean).join(' '),
      rung: req.rung,
      reviewDueAt: req.reviewDueAt,
      timeZone: req.timeZone,
      summonsAt: req.summonsAt,
      referralTo: req.referralTo,
      causes: req.causes.map((c) => `${c.kind} ${c.refId}${c.note ? `（${c.note}）` : ''}`),
      link: consoleLink(mail.publicUrl, 'cases', req.caseId),
    });
    return deliver(deps, {
      businessKey: caseNoticeKey(req),
      hazardId: null,
      campaignId: req.campaignId,
      kind: req.kind,
      deadlineVersion: req.window,
      recipients,
      subject,
      bodyText: text,
      locale: 'zh-CN',
      headers: { 'X-Case-Id': req.caseId, 'X-Case-Rung': req.rung, 'X-Case-Window': String(req.window) },
    });
  }

  return { recordCaseEvents, sendCaseNotification };
}

// Side effects of the accountability case workflow: its ledger writes and its mail.
import { applyCaseEntries, type CaseLedgerEntry } from '../db/cases.repo';
import type { CaseCause, CaseRung, CaseSubject, ReferralBody } from '../domain/accountability';
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
  /** The reviewers named for this case; the office's mailboxes when none. */
  reviewerEmails?: string[];
}

export function createCaseActivities(deps: OutboxDeps) {
  const { db, mail } = deps;

  async function recordCaseEvents(entries: CaseLedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await ledgerWrite(`case ${entries[0]!.caseId} events ${entries[0]!.seq}..${entries.at(-1)!.seq}`, () => applyCaseEntries(db, entries));
  }

  /** Reviewers are asked and reminded; when a review window ends undecided the office head is told too. */
  async function sendCaseNotification(req: CaseNotificationRequest): Promise<DeliveryResult> {
    const reviewers = req.reviewerEmails && req.reviewerEmails.length > 0 ? req.reviewerEmails : mail.officeEmails;
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
      link: `${mail.publicUrl}/v1/cases/${req.caseId}`,
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

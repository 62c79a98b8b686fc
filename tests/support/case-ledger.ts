// What a case workflow left behind, read the same way by every case test: its ledger events, the
// instants its timer events were due and acted on, and its mail in the SMTP sink.
import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { expect } from 'vitest';
import type { Db } from '../../db/client';
import { applyCaseEntries } from '../../db/cases.repo';
import { caseEvents } from '../../db/schema';
import type { CaseCauseKind, CaseSubject } from '../../domain/accountability';
import { SYSTEM_ACTOR } from '../../domain/hazard';
import type { SmtpSink } from './smtp-sink';

export const caseEventsOf = (db: Db, caseId: string) => db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.seq));

/** When the schedule set each timer event of a type (its `dueAt`); each one must also have been acted on within a second of it. */
export async function caseEventTimes(db: Db, caseId: string, type: string): Promise<number[]> {
  const fired = (await caseEventsOf(db, caseId)).filter((e) => e.type === type);
  for (const e of fired) expect(Math.abs(e.at.getTime() - Date.parse(String(e.data.dueAt)))).toBeLessThan(1000);
  return fired.map((e) => Date.parse(String(e.data.dueAt)));
}

export const caseMails = (sink: SmtpSink, caseId: string): ParsedMail[] => sink.messages.filter((m) => m.headers.get('x-case-id') === caseId);

/** `<notification kind>#<review window>`, e.g. `CASE_REVIEW_REMINDER#1`. */
export const caseMailKind = (m: ParsedMail): string => `${String(m.headers.get('x-notification-kind'))}#${String(m.headers.get('x-case-window'))}`;

/** The addresses a mail went to. */
export const recipientsOf = (m: ParsedMail): string[] => [m.to].flat().flatMap((a) => (a ? a.value.map((v) => v.address ?? '') : []));

/** A case of the campaign opened at `at` (ISO) as the case activities write its opening (OPEN, first rung); its id. */
export async function openCaseOnLedger(db: Db, o: { campaignId: string; subject: CaseSubject; causeKind: CaseCauseKind; at: string }): Promise<string> {
  const caseId = randomUUID();
  await applyCaseEntries(db, [
    {
      caseId,
      workflowId: `case:${caseId}`,
      seq: 1,
      type: 'OPENED',
      actor: SYSTEM_ACTOR,
      data: {},
      at: o.at,
      row: { rung: 'CIRCULAR', status: 'OPEN', exposed: false, overdue: false, reviewDueAt: null, heldUntil: null, summonsAt: null, referralTo: null, resolvedAt: null },
      opening: { subject: o.subject, causeKind: o.causeKind, campaignId: o.campaignId, openedBy: SYSTEM_ACTOR, openedAt: o.at },
    },
  ]);
  return caseId;
}

/** A case of the campaign about a county, opened by hand at `at` (ISO); its id. */
export const openUnitCaseOnLedger = (db: Db, o: { campaignId: string; unitCode: string; at: string }): Promise<string> =>
  openCaseOnLedger(db, { campaignId: o.campaignId, subject: { kind: 'UNIT', ref: o.unitCode, countyCode: o.unitCode }, causeKind: 'MANUAL', at: o.at });

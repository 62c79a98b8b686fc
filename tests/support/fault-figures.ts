// Figures of a fault scenario, by business key: what the sink received (X-Business-Key,
// Message-ID, arrival time), what the outbox says, and what the ledger recorded.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { asc, inArray } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { notificationBusinessKey } from '../../activities';
import type { DbHandle } from '../../db/client';
import { hazardEvents, notifications } from '../../db/schema';
import type { SmtpSink } from './smtp-sink';
import { expect } from 'vitest';

/** A mail that must go out: its business key and the instant its timer event fell due. */
export interface DueMail {
  businessKey: string;
  hazardId: string;
  kind: 'REMINDER' | 'OVERDUE';
  dueAt: number;
}

/** The business key of a hazard's timer notice (deadline version 1), as activities/index.ts builds it. */
export const dueMail = (hazardId: string, kind: DueMail['kind'], dueAt: number, offset?: string): DueMail => ({
  hazardId,
  kind,
  dueAt,
  businessKey: notificationBusinessKey({ hazardId, deadlineVersion: 1, eventKey: kind === 'REMINDER' ? `reminder:${offset}` : 'overdue' }),
});

const keyOf = (m: ParsedMail): string | undefined => {
  const v = m.headers.get('x-business-key');
  return typeof v === 'string' ? v : undefined;
};

/** Waits until the sink has a mail for every key (or the timeout passes: the figures then show what is lost). */
export async function waitForMails(sink: SmtpSink, due: DueMail[], timeoutMs: number): Promise<boolean> {
  const wanted = new Set(due.map((d) => d.businessKey));
  const until = Date.now() + timeoutMs;
  for (;;) {
    const got = new Set(sink.messages.map(keyOf));
    if ([...wanted].every((k) => got.has(k))) return true;
    if (Date.now() > until) return false;
    await delay(200);
  }
}

export const receivedCount = (sink: SmtpSink, due: DueMail[]): number => {
  const wanted = new Set(due.map((d) => d.businessKey));
  return new Set(sink.messages.map(keyOf).filter((k) => k !== undefined && wanted.has(k))).size;
};

export interface MailFigures {
  due: number;
  received: number;
  lost: number;
  lostKeys: string[];
  /** Deliveries beyond the first of a key. */
  duplicates: number;
  /** Keys delivered more than once with different Message-IDs: must be 0. */
  duplicatesWithOtherMessageId: number;
  /** Mails whose Message-ID differs from their outbox row's: must be 0. */
  messageIdMismatches: number;
  /** Outbox rows of these hazards marked SENT that the sink never received: must be 0. */
  markedSentNotReceived: number;
  /** Due keys received but whose outbox row is not SENT (a mark still outstanding or lost). */
  receivedNotMarkedSent: number;
  /** How late the last due mail went out after its instant (first arrival), ms. */
  lastLatenessMs: number | null;
  /** The same, per kind. */
  lastLatenessMsByKind: Partial<Record<DueMail['kind'], number>>;
}

export async function mailFigures(db: DbHandle, sink: SmtpSink, due: DueMail[]): Promise<MailFigures> {
  const byKey = new Map<string, ParsedMail[]>();
  for (const m of sink.messages) {
    const k = keyOf(m);
    if (k) byKey.set(k, [...(byKey.get(k) ?? []), m]);
  }
  const hazardIds = [...new Set(due.map((d) => d.hazardId))];
  const rows = hazardIds.length ? await db.db.select().from(notifications).where(inArray(notifications.hazardId, hazardIds)) : [];
  const rowByKey = new Map(rows.map((r) => [r.businessKey, r]));

  const lostKeys = due.filter((d) => !byKey.has(d.businessKey)).map((d) => d.businessKey);
  let duplicates = 0;
  let duplicatesWithOtherMessageId = 0;
  let messageIdMismatches = 0;
  let receivedNotMarkedSent = 0;
  let lastLatenessMs: number | null = null;
  const lastLatenessMsByKind: MailFigures['lastLatenessMsByKind'] = {};
  for (const d of due) {
    const mails = byKey.get(d.businessKey) ?? [];
    if (mails.length === 0) continue;
    duplicates += mails.length - 1;
    if (new Set(mails.map((m) => m.messageId)).size > 1) duplicatesWithOtherMessageId++;
    const row = rowByKey.get(d.businessKey);
    if (mails.some((m) => m.messageId !== row?.messageId)) messageIdMismatches++;
    if (row?.status !== 'SENT') receivedNotMarkedSent++;
    const late = Math.min(...mails.map((m) => sink.receivedAt.get(m) ?? Infinity)) - d.dueAt;
    lastLatenessMs = Math.max(lastLatenessMs ?? -Infinity, late);
    lastLatenessMsByKind[d.kind] = Math.max(lastLatenessMsByKind[d.kind] ?? -Infinity, late);
  }
  const markedSentNotReceived = rows.filter((r) => r.status === 'SENT' && !byKey.has(r.businessKey)).length;
  return {
    due: due.length,
    received: due.length - lostKeys.length,
    lost: lostKeys.length,
    lostKeys: lostKeys.slice(0, 10),
    duplicates,
    duplicatesWithOtherMessageId,
    messageIdMismatches,
    markedSentNotReceived,
    receivedNotMarkedSent,
    lastLatenessMs,
    lastLatenessMsByKind,
  };
}

/** Every mail due arrived; a second copy, if any, only with its own Message-ID; nothing marked SENT that did not arrive. */
export function expectNoMailLost(complete: boolean, mail: MailFigures): void {
  expect(complete, `lost: ${mail.lostKeys.join(', ')}`).toBe(true);
  expect(mail.lost).toBe(0);
  expect(mail.duplicatesWithOtherMessageId).toBe(0);
  expect(mail.messageIdMismatches).toBe(0);
  expect(mail.markedSentNotReceived).toBe(0);
}

export interface LedgerFigures {
  hazards: number;
  /** Per event type: hazards with no such event though one was expected. */
  missing: Record<string, number>;
  /** Per event type: hazards with more than one such event. */
  duplicated: Record<string, number>;
  /** Hazards whose event sequence has a gap (1..n not contiguous). */
  seqGaps: number;
  /** Largest `at - dueAt` of the timer events (when the workflow acted vs. when the schedule said), ms. */
  maxTimerLagMs: number | null;
  /** Largest `recorded_at - at` (how long the ledger took to catch up), ms. */
  maxRecordLagMs: number | null;
}

/** Checks that each hazard has exactly one event of each of `types`, and no gaps in its sequence. */
export async function ledgerFigures(db: DbHandle, hazardIds: string[], types: string[]): Promise<LedgerFigures> {
  const events = await db.db.select().from(hazardEvents).where(inArray(hazardEvents.hazardId, hazardIds)).orderBy(asc(hazardEvents.hazardId), asc(hazardEvents.seq));
  const byHazard = new Map<string, typeof events>();
  for (const e of events) byHazard.set(e.hazardId, [...(byHazard.get(e.hazardId) ?? []), e]);
  const missing: Record<string, number> = Object.fromEntries(types.map((t) => [t, 0]));
  const duplicated: Record<string, number> = Object.fromEntries(types.map((t) => [t, 0]));
  let seqGaps = 0;
  let maxTimerLagMs: number | null = null;
  let maxRecordLagMs: number | null = null;
  for (const id of hazardIds) {
    const list = byHazard.get(id) ?? [];
    if (list.some((e, i) => e.seq !== i + 1)) seqGaps++;
    for (const t of types) {
      const n = list.filter((e) => e.type === t).length;
      if (n === 0) missing[t]!++;
      if (n > 1) duplicated[t]!++;
    }
    for (const e of list) {
      const dueAt = typeof e.data.dueAt === 'string' ? Date.parse(e.data.dueAt) : NaN;
      if (types.includes(e.type) && !Number.isNaN(dueAt)) maxTimerLagMs = Math.max(maxTimerLagMs ?? -Infinity, e.at.getTime() - dueAt);
      maxRecordLagMs = Math.max(maxRecordLagMs ?? -Infinity, e.recordedAt.getTime() - e.at.getTime());
    }
  }
  return { hazards: hazardIds.length, missing, duplicated, seqGaps, maxTimerLagMs, maxRecordLagMs };
}

/** Waits until every hazard has each of `types` on the ledger (or the timeout passes). */
export async function waitForLedger(db: DbHandle, hazardIds: string[], types: string[], timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const rows = await db.db
      .select({ hazardId: hazardEvents.hazardId, type: hazardEvents.type })
      .from(hazardEvents)
      .where(inArray(hazardEvents.hazardId, hazardIds))
      .catch(() => []);
    const have = new Set(rows.map((r) => `${r.hazardId}|${r.type}`));
    if (hazardIds.every((id) => types.every((t) => have.has(`${id}|${t}`)))) return true;
    if (Date.now() > until) return false;
    await delay(250);
  }
}

const seconds = (ms: number | null | undefined) => (ms === null || ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);

export interface ScenarioFigures {
  scenario: string;
  mail: MailFigures;
  ledger?: LedgerFigures;
  runMs: number;
  [extra: string]: unknown;
}

const scenarios: ScenarioFigures[] = [];

/** Prints the scenario's one-line summary (the CI log shows it) and keeps it for `writeFigures`. */
export function report(f: ScenarioFigures): void {
  scenarios.push(f);
  const m = f.mail;
  const ledger = f.ledger
    ? `; ledger: ${Object.values(f.ledger.missing).reduce((a, b) => a + b, 0)} missing, ${Object.values(f.ledger.duplicated).reduce((a, b) => a + b, 0)} duplicated, timer lag max ${seconds(f.ledger.maxTimerLagMs)}`
    : '';
  console.log(
    `[faults] ${f.scenario}: ${m.due} due, ${m.received} sent, ${m.lost} lost, ${m.duplicates} duplicates ` +
      `(${m.duplicatesWithOtherMessageId} with another Message-ID), last reminder ${seconds(m.lastLatenessMsByKind.REMINDER ?? m.lastLatenessMs)} late` +
      `${m.lastLatenessMsByKind.OVERDUE !== undefined ? `, last overdue notice ${seconds(m.lastLatenessMsByKind.OVERDUE)} late` : ''}${ledger}; run ${seconds(f.runMs)}`,
  );
}

const RESULTS = fileURLToPath(new URL('../../bench/results/faults-latest.json', import.meta.url));

/** Overwrites bench/results/faults-latest.json with this run's scenarios. */
export async function writeFigures(): Promise<void> {
  if (scenarios.length === 0) return;
  await mkdir(path.dirname(RESULTS), { recursive: true });
  await writeFile(RESULTS, `${JSON.stringify({ generatedAt: new Date().toISOString(), scenarios }, null, 2)}\n`);
}

// One workflow per accountability case (ID case:<id>). It owns where the case stands on the
// ladder (domain/accountability), opens a review window on each rung, reminds the reviewer
// before it ends and tells the office head when it ends undecided; the reviewer's decisions
// arrive as validated updates. Every step goes to the ledger through an activity; mail goes
// out beside the steps, never in front of them. Deterministic: no IO, no clock but the workflow's.
import { ApplicationFailure, condition, continueAsNew, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CaseLedgerEntry, CaseNotificationKind, CaseNotificationRequest, createActivities } from '../activities';
import {
  CASE_CAUSE_KINDS,
  caseReviewSchedule,
  checkDecision,
  escalationTarget,
  type CaseCause,
  type CaseDecision,
  type CaseEventType,
} from '../domain/accountability';
import { caseNoticeKey } from '../domain/delivery';
import { describeFieldErrors, ErrorCode } from '../domain/errors';
import { SYSTEM_ACTOR, type Actor } from '../domain/hazard';
import type { TimerEvent } from '../domain/policy';
import { LEDGER, MAIL } from './activity-options';
import {
  addCaseCauseSignal,
  caseCauseResolvedSignal,
  caseStateQuery,
  decideCaseUpdate,
  type CaseCauseSignal,
  type CaseProcessState,
  type CaseSnapshot,
  type CaseWorkflowInput,
  type DecideCaseInput,
} from './case.messages';
import { Background, writeOrMark } from './side-effects';

type Activities = ReturnType<typeof createActivities>;
const { recordCaseEvents, abandonNotification } = proxyActivities<Activities>(LEDGER);
const { sendCaseNotification } = proxyActivities<Activities>(MAIL);

/** What the loop waits for next: a timer event of the review window, or the end of a hold. */
interface Wake {
  key: string;
  kind: TimerEvent['kind'] | 'HOLD_END';
  at: number;
  offset?: string;
}

const nowIso = (): string => new Date(Date.now()).toISOString();
const isoOf = (ms: number): string => new Date(ms).toISOString();

export async function caseWorkflow(input: CaseWorkflowInput): Promise<CaseSnapshot> {
  const { caseId, subject, ladder, timeZone } = input;
  const workflowId = workflowInfo().workflowId;
  const campaignId = input.campaignId ?? null;
  const s: CaseProcessState = input.resume ?? {
    status: 'OPEN',
    rung: 'CIRCULAR',
    exposed: false,
    overdue: false,
    summonsAt: null,
    referralTo: null,
    window: 0,
    windowOpenedAt: null,
    reviewDueAt: null,
    heldUntil: null,
    firedEvents: [],
    seq: 0,
    causes: [],
    resolvedAt: null,
  };
  // Set by every decision: the loop recomputes what it waits for.
  let rearm = false;
  // A cause's row needs the case row: cause signals wait until the opening step is on the ledger.
  let opened = input.resume !== undefined;
  const background = new Background();

  const windowEvents = (): TimerEvent[] =>
    s.status === 'OPEN' && s.windowOpenedAt ? caseReviewSchedule({ ladder, rung: s.rung, openedAt: Date.parse(s.windowOpenedAt), timeZone }).events : [];
  const nextWake = (): Wake | null => {
    if (s.status === 'RESOLVED') return null;
    if (s.status === 'HELD') return s.heldUntil ? { key: 'hold-end', kind: 'HOLD_END', at: Date.parse(s.heldUntil) } : null;
    return windowEvents().find((e) => !s.firedEvents.includes(e.key)) ?? null;
  };
  const snapshot = (): CaseSnapshot => {
    const next = nextWake();
    return {
      ...s,
      firedEvents: [...s.firedEvents],
      causes: s.causes.map((c) => ({ ...c })),
      caseId,
      subject,
      nextEvent: next ? { key: next.key, kind: next.kind, atIso: isoOf(next.at) } : null,
    };
  };

  /** A new review window on the current rung: its timers re-armed, the overdue flag cleared. */
  function openWindow(openedAt: string): void {
    s.status = 'OPEN';
    s.heldUntil = null;
    s.window += 1;
    s.windowOpenedAt = openedAt;
    s.reviewDueAt = isoOf(caseReviewSchedule({ ladder, rung: s.rung, openedAt: Date.parse(openedAt), timeZone }).dueAt);
    s.firedEvents = [];
    s.overdue = false;
  }

  /** Takes a step now (synchronously, so validators see it) and returns its ledger entry. */
  function step(type: CaseEventType, actor: Actor, data: Record<string, unknown>, extra: Pick<CaseLedgerEntry, 'opening' | 'cause'> = {}): CaseLedgerEntry {
    s.seq += 1;
    return {
      caseId,
      workflowId,
      seq: s.seq,
      type,
      actor,
      data,
      at: nowIso(),
      row: {
        rung: s.rung,
        status: s.status,
        exposed: s.exposed,
        overdue: s.overdue,
        reviewDueAt: s.reviewDueAt,
        heldUntil: s.heldUntil,
        summonsAt: s.summonsAt,
        referralTo: s.referralTo,
        resolvedAt: s.resolvedAt,
      },
      ...extra,
    };
  }

  /** A step whose data the ledger refuses is still recorded, marked, and the workflow goes on. */
  const write = (entries: CaseLedgerEntry[]): Promise<void> => writeOrMark(recordCaseEvents, entries, { caseId, seq: entries.at(-1)?.seq });

  /** Starts a mail about the current window as it stands now; never awaited (a mailbox never holds back a timer). */
  function notify(kind: CaseNotificationKind, eventKey: string): void {
    const request: CaseNotificationRequest = {
      caseId,
      kind,
      window: s.window,
      eventKey,
      subject,
      campaignId,
      rung: s.rung,
      reviewDueAt: s.reviewDueAt ?? nowIso(),
      timeZone,
      summonsAt: s.summonsAt,
      referralTo: s.referralTo,
      causes: s.causes.map(({ kind: k, refId, note }) => ({ kind: k, refId, ...(note ? { note } : {}) })),
      ...(input.reviewerEmails ? { reviewerEmails: input.reviewerEmails } : {}),
    };
    background.start('case notification', { caseId, kind, eventKey }, sendCaseNotification(request), (reason) =>
      abandonNotification({ businessKey: caseNoticeKey(request), reason }),
    );
  }

  // The opening step is taken before any message can be handled, so it is always seq 1.
  let opening: CaseLedgerEntry | null = null;
  if (!input.resume) {
    const cause = input.cause;
    s.causes.push({ ...cause, joinedAt: nowIso(), resolvedAt: null });
    // Armed when the case was opened (the workflow's start), so a worker that picks it up late still sends what was due after.
    openWindow(workflowInfo().startTime.toISOString());
    opening = step(
      'OPENED',
      input.openedBy,
      { cause, window: s.window, reviewDueAt: s.reviewDueAt },
      {
        opening: { subject, causeKind: cause.kind, campaignId, openedBy: input.openedBy, openedAt: s.windowOpenedAt! },
        cause: { op: 'JOIN', kind: cause.kind, refId: cause.refId, ...(cause.note ? { note: cause.note } : {}) },
      },
    );
  }

  function validate({ actor, decision }: DecideCaseInput): void {
    if (!actor || typeof actor.role !== 'string' || !decision || typeof decision !== 'object') {
      const errors = [{ field: actor ? 'decision' : 'actor', reason: 'is required' }];
      throw ApplicationFailure.create({ type: ErrorCode.VALIDATION_FAILED, message: describeFieldErrors(errors), details: [errors], nonRetryable: true });
    }
    const check = checkDecision({ status: s.status, rung: s.rung, subject, ladder }, decision, actor, Date.now());
    if (!check.ok) throw ApplicationFailure.create({ type: check.code, message: check.reason, details: check.errors ? [check.errors] : undefined, nonRetryable: true });
  }

  /** Applies a validated decision synchronously: the next validator already sees the new state. */
  function apply(decision: CaseDecision, actor: Actor): CaseLedgerEntry {
    switch (decision.kind) {
      case 'ESCALATE': {
        const from = s.rung;
        const to = escalationTarget(s.rung, decision, subject.kind)!;
        s.rung = to;
        if (to === 'SUMMONS') s.summonsAt = isoOf(Date.parse(decision.summonsAt!));
        if (to === 'REFERRAL') s.referralTo = decision.referralTo!;
        if (decision.expose) s.exposed = true;
        openWindow(nowIso());
        const entry = step('ESCALATED', actor, {
          from,
          to,
          reason: decision.reason,
          ...(to === 'SUMMONS' ? { summonsAt: s.summonsAt } : {}),
          ...(to === 'REFERRAL' ? { referralTo: s.referralTo } : {}),
          exposed: s.exposed,
          window: s.window,
          reviewDueAt: s.reviewDueAt,
        });
        notify('CASE_REVIEW_REQUESTED', 'requested');
        return entry;
      }
      case 'HOLD':
        // Nothing fires while held: the window's timers are dropped; a new window opens at the date.
        s.status = 'HELD';
        s.heldUntil = isoOf(Date.parse(decision.until));
        s.windowOpenedAt = null;
        s.reviewDueAt = null;
        s.firedEvents = [];
        s.overdue = false;
        return step('HELD', actor, { until: s.heldUntil, reason: decision.reason, window: s.window });
      case 'RESOLVE':
        s.status = 'RESOLVED';
        s.resolvedAt = nowIso();
        s.windowOpenedAt = null;
        s.reviewDueAt = null;
        s.heldUntil = null;
        s.overdue = false;
        return step('RESOLVED', actor, { reason: decision.reason, window: s.window });
    }
  }

  setHandler(caseStateQuery, snapshot);

  setHandler(
    decideCaseUpdate,
    async ({ actor, decision }: DecideCaseInput) => {
      const entry = apply(decision, actor);
      rearm = true;
      await condition(() => opened);
      await write([entry]);
      return snapshot();
    },
    { validator: validate },
  );

  /** A cause signal the ledger could not hold (unknown kind, no ref) is logged and dropped, never half-recorded. */
  const wellFormed = (c: CaseCauseSignal | undefined): c is CaseCauseSignal =>
    !!c && (CASE_CAUSE_KINDS as readonly unknown[]).includes(c.kind) && typeof c.refId === 'string' && c.refId.length > 0 && !!c.actor;

  setHandler(addCaseCauseSignal, async (c: CaseCauseSignal) => {
    if (!wellFormed(c) || s.status === 'RESOLVED') {
      log.warn('cause not joined', { caseId, cause: c?.kind, refId: c?.refId, status: s.status });
      return;
    }
    if (s.causes.some((x) => x.kind === c.kind && x.refId === c.refId)) return;
    const cause: CaseCause = { kind: c.kind, refId: c.refId, ...(c.note ? { note: c.note } : {}) };
    s.causes.push({ ...cause, joinedAt: nowIso(), resolvedAt: null });
    const entry = step('CAUSE_JOINED', c.actor, { ...cause }, { cause: { op: 'JOIN', ...cause } });
    await condition(() => opened);
    await write([entry]);
  });

  setHandler(caseCauseResolvedSignal, async (c: CaseCauseSignal) => {
    const known = wellFormed(c) ? s.causes.find((x) => x.kind === c.kind && x.refId === c.refId && x.resolvedAt === null) : undefined;
    if (!known || s.status === 'RESOLVED') {
      log.warn('cause resolution not recorded: not an open cause of this case', { caseId, cause: c?.kind, refId: c?.refId, status: s.status });
      return;
    }
    // Recorded, not acted on: the reviewer decides whether the case can be resolved.
    known.resolvedAt = nowIso();
    const entry = step('CAUSE_RESOLVED', c.actor, { kind: c.kind, refId: c.refId, ...(c.note ? { note: c.note } : {}) }, { cause: { op: 'RESOLVE', kind: c.kind, refId: c.refId } });
    await condition(() => opened);
    await write([entry]);
  });

  async function fire(e: Wake): Promise<void> {
    // The instant the schedule set for this event; the entry's `at` is when the workflow acted on it.
    const dueAt = isoOf(e.at);
    switch (e.kind) {
      case 'HOLD_END': {
        const heldUntil = s.heldUntil;
        openWindow(nowIso());
        const entry = step('HOLD_ENDED', SYSTEM_ACTOR, { heldUntil, dueAt, window: s.window, reviewDueAt: s.reviewDueAt });
        notify('CASE_REVIEW_REQUESTED', 'requested');
        await write([entry]);
        return;
      }
      case 'REMINDER': {
        s.firedEvents.push(e.key);
        const entry = step('REVIEW_REMINDER_SENT', SYSTEM_ACTOR, { offset: e.offset, dueAt, reviewDueAt: s.reviewDueAt, window: s.window });
        notify('CASE_REVIEW_REMINDER', e.key);
        await write([entry]);
        return;
      }
      case 'OVERDUE': {
        s.firedEvents.push(e.key);
        s.overdue = true;
        const entry = step('REVIEW_OVERDUE', SYSTEM_ACTOR, { dueAt, reviewDueAt: s.reviewDueAt, window: s.window });
        notify('CASE_REVIEW_OVERDUE', e.key);
        await write([entry]);
        return;
      }
      case 'ESCALATION':
        // Not in a review schedule: a case never climbs the ladder by itself.
        s.firedEvents.push(e.key);
        return;
    }
  }

  /**
   * Rolls over once no mail is on its way and no message is half-handled, waiting no longer than
   * the next timer event (even one a decision brings forward meanwhile): timers are never held back.
   */
  async function rollOverIfDue(): Promise<void> {
    if (!(await background.quietBefore(() => nextWake()?.at ?? Infinity, () => s.status === 'RESOLVED'))) return;
    log.info('continuing as new', { caseId, seq: s.seq });
    await continueAsNew<typeof caseWorkflow>({ ...input, resume: s });
  }

  if (opening) {
    notify('CASE_REVIEW_REQUESTED', 'requested');
    await write([opening]);
    opened = true;
  }

  // A function, not a narrowed field: handlers change the status while the loop awaits.
  const resolved = (): boolean => s.status === 'RESOLVED';
  while (!resolved()) {
    rearm = false;
    const next = nextWake();
    const woken = next ? await condition(() => rearm, Math.max(1, next.at - Date.now())) : await condition(() => rearm).then(() => true);
    if (!woken && next) await fire(next);
    if (!resolved() && workflowInfo().continueAsNewSuggested) await rollOverIfDue();
  }
  // No decision half-written, no mail abandoned.
  await background.settled();
  return snapshot();
}

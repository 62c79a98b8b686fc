// One workflow per enforcement order (ID order:<id>). It owns the order's process state: a
// rectification order (限期整改) waits for its deadline like a hazard, reminding before it, giving
// notice at it and, when the escalation step passes without compliance, marking the order IGNORED
// and opening a case against the enterprise; a suspension (停产整顿) waits for an inspection and a
// lift; a closure or joint discipline is recorded, its notices mailed, and ends. Commands arrive as
// validated updates. Every step goes to the ledger through an activity; mail goes out beside the
// steps, never in front of them. Deterministic: no IO, no clock but the workflow's.
import { ApplicationFailure, condition, continueAsNew, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { createActivities, OrderLedgerEntry, OrderNotificationKind, OrderNotificationRequest } from '../activities';
import { orderNoticeKey } from '../domain/delivery';
import {
  checkOrderCommand,
  checkOrderPayload,
  INITIAL_ORDER_STATUS,
  isTerminalOrder,
  type OrderCommand,
  type OrderCommandInput,
  type OrderEventType,
  type OrderStatus,
} from '../domain/enforcement';
import { describeFieldErrors, ErrorCode } from '../domain/errors';
import { SYSTEM_ACTOR, type Actor } from '../domain/hazard';
import { hazardSchedule, type TimerEvent } from '../domain/policy';
import { LEDGER, MAIL } from './activity-options';
import { orderStateQuery, orderUpdates, type OrderProcessState, type OrderSnapshot, type OrderWorkflowInput } from './order.messages';
import { Background, writeOrMark } from './side-effects';

type Activities = ReturnType<typeof createActivities>;
const { recordOrderEvents, openOrderCase, abandonNotification } = proxyActivities<Activities>(LEDGER);
const { sendOrderNotification } = proxyActivities<Activities>(MAIL);

const nowIso = (): string => new Date(Date.now()).toISOString();
const isoOf = (ms: number): string => new Date(ms).toISOString();

export async function orderWorkflow(input: OrderWorkflowInput): Promise<OrderSnapshot> {
  const { orderId, kind, timeZone } = input;
  const workflowId = workflowInfo().workflowId;
  const s: OrderProcessState = input.resume ?? {
    status: INITIAL_ORDER_STATUS[kind],
    overdue: false,
    ignored: false,
    // Armed when the API started the workflow, so a worker that picks the order up late still sends what was due after.
    armedAt: workflowInfo().startTime.toISOString(),
    firedEvents: [],
    seq: 0,
    rejections: 0,
    complianceReportedAt: null,
    liftAppliedAt: null,
    inspection: null,
    caseId: null,
    endedAt: null,
  };
  // Set by every command: the loop recomputes its next timer event.
  let rearm = false;
  // Commands are written after the ISSUED step, so the ledger's sequence reads as it happened.
  let issued = input.resume !== undefined;
  const background = new Background();
  const scope = { enterpriseId: input.enterpriseId, countyCode: input.countyCode, departmentCode: input.departmentCode };

  const schedule = (): TimerEvent[] =>
    input.deadline && input.policy ? hazardSchedule({ deadline: Date.parse(input.deadline), policy: input.policy, timeZone, armedAt: Date.parse(s.armedAt) }) : [];
  // While the regulator has the compliance report, overdue notice and escalation wait: the enterprise reported in time.
  const nextEvent = (): TimerEvent | null => {
    if (isTerminalOrder(s.status)) return null;
    const paused = s.status === 'COMPLIANCE_REPORTED';
    return schedule().find((e) => !s.firedEvents.includes(e.key) && !(paused && e.kind !== 'REMINDER')) ?? null;
  };
  const snapshot = (): OrderSnapshot => {
    const next = nextEvent();
    return { ...s, firedEvents: [...s.firedEvents], orderId, kind, deadline: input.deadline, nextEvent: next ? { key: next.key, kind: next.kind, atIso: isoOf(next.at) } : null };
  };

  /** Takes a step now (synchronously, so validators see it) and returns its ledger entry. */
  function step(type: OrderEventType, to: OrderStatus | null, actor: Actor, data: Record<string, unknown> = {}): OrderLedgerEntry {
    const fromStatus = s.status;
    if (to) s.status = to;
    if (to && isTerminalOrder(to)) s.endedAt = nowIso();
    s.seq += 1;
    return {
      orderId,
      workflowId,
      enterpriseId: input.enterpriseId,
      seq: s.seq,
      type,
      fromStatus: type === 'ISSUED' ? null : fromStatus,
      toStatus: s.status,
      actor,
      data,
      at: nowIso(),
      row: {
        status: s.status,
        overdue: s.overdue,
        complianceReportedAt: s.complianceReportedAt,
        liftAppliedAt: s.liftAppliedAt,
        inspectionOutcome: s.inspection,
        ignoredCaseId: s.caseId,
        endedAt: s.endedAt,
      },
    };
  }

  /** A step whose data the ledger refuses is still recorded, marked, and the workflow goes on. */
  const write = (entries: OrderLedgerEntry[]): Promise<void> => writeOrMark(recordOrderEvents, entries, { orderId, seq: entries.at(-1)?.seq });

  /** Starts a mail; never awaited (a mailbox never holds back a timer). */
  function notify(kind: OrderNotificationKind, eventKey: string, extra: Pick<OrderNotificationRequest, 'bodyIndex' | 'caseId' | 'decisionReason'> = {}): void {
    const request: OrderNotificationRequest = { orderId, kind, eventKey, ...extra };
    background.start('order notification', { orderId, kind, eventKey }, sendOrderNotification(request), (reason) => abandonNotification({ businessKey: orderNoticeKey(request), reason }));
  }

  function validate<C extends OrderCommand>(command: C, inp: OrderCommandInput<C>): void {
    const actor = (inp as { actor?: Actor } | undefined)?.actor;
    if (!actor || typeof actor.role !== 'string') {
      const errors = [{ field: 'actor', reason: 'is required' }];
      throw ApplicationFailure.create({ type: ErrorCode.VALIDATION_FAILED, message: describeFieldErrors(errors), details: [errors], nonRetryable: true });
    }
    const check = checkOrderCommand(command, { ...scope, kind, status: s.status, inspection: s.inspection, liftApplied: s.liftAppliedAt !== null }, actor);
    if (!check.ok) throw ApplicationFailure.create({ type: check.code, message: check.reason, nonRetryable: true });
    const errors = checkOrderPayload(command, inp);
    if (errors.length > 0) throw ApplicationFailure.create({ type: ErrorCode.VALIDATION_FAILED, message: describeFieldErrors(errors), details: [errors], nonRetryable: true });
  }

  /** Registers a command: validated before acceptance, applied synchronously, then written; its mail goes out beside. */
  function command<C extends OrderCommand>(name: C, apply: (inp: OrderCommandInput<C>) => OrderLedgerEntry): void {
    const update = orderUpdates[name] as UpdateDefinition<OrderSnapshot, [OrderCommandInput<C>]>;
    setHandler(
      update,
      async (inp: OrderCommandInput<C>) => {
        const entry = apply(inp);
        rearm = true;
        await condition(() => issued);
        await write([entry]);
        return snapshot();
      },
      { validator: (inp: OrderCommandInput<C>) => validate(name, inp) },
    );
  }

  setHandler(orderStateQuery, snapshot);

  command('reportCompliance', ({ actor, report }) => {
    s.complianceReportedAt = nowIso();
    return step('COMPLIANCE_REPORTED', 'COMPLIANCE_REPORTED', actor, { report });
  });

  command('verifyCompliance', ({ actor, decision, reason }) => {
    if (decision === 'ACCEPT') return step('COMPLIANCE_ACCEPTED', 'COMPLIED', actor, { reason: reason ?? null, ignored: s.ignored });
    s.rejections += 1;
    s.complianceReportedAt = null;
    // Back to where it stood: an order already ignored stays ignored (its case goes on).
    const entry = step('COMPLIANCE_REJECTED', s.ignored ? 'IGNORED' : 'RECTIFYING', actor, { reason, rejection: s.rejections });
    notify('ORDER_COMPLIANCE_REJECTED', `rejected:${entry.seq}`, { decisionReason: reason ?? null });
    return entry;
  });

  command('applyForLift', ({ actor, note }) => {
    s.liftAppliedAt = nowIso();
    return step('LIFT_APPLIED', null, actor, { note });
  });

  command('recordInspection', ({ actor, outcome, findings }) => {
    s.inspection = outcome;
    // A failed inspection answers the application: the enterprise applies again when it is ready.
    if (outcome === 'FAILED') s.liftAppliedAt = null;
    return step(outcome === 'PASSED' ? 'INSPECTION_PASSED' : 'INSPECTION_FAILED', null, actor, { outcome, findings });
  });

  command('liftSuspension', ({ actor, reason }) => {
    const entry = step('LIFTED', 'LIFTED', actor, { reason: reason ?? null, inspection: s.inspection });
    notify('ORDER_LIFTED', 'lifted', { decisionReason: reason ?? null });
    return entry;
  });

  async function fire(e: TimerEvent): Promise<void> {
    s.firedEvents.push(e.key);
    // The instant the schedule set for this event; the entry's `at` is when the workflow acted on it.
    const dueAt = isoOf(e.at);
    const deadline = input.deadline;
    switch (e.kind) {
      case 'REMINDER':
        if (s.status === 'COMPLIANCE_REPORTED') {
          await write([step('REMINDER_SKIPPED', null, SYSTEM_ACTOR, { offset: e.offset, deadline, dueAt, reason: 'compliance reported' })]);
          return;
        }
        notify('ORDER_REMINDER', e.key);
        await write([step('REMINDER_SENT', null, SYSTEM_ACTOR, { offset: e.offset, deadline, dueAt })]);
        return;
      case 'OVERDUE':
        s.overdue = true;
        notify('ORDER_OVERDUE', e.key);
        await write([step('OVERDUE', null, SYSTEM_ACTOR, { deadline, dueAt })]);
        return;
      case 'ESCALATION': {
        // Taken at once, so a compliance report that lands while the case is opened sees IGNORED.
        s.ignored = true;
        const reason = `not complied with ${e.offset ?? ''} after the deadline ${deadline ?? ''}`;
        const ignored = step('IGNORED', 'IGNORED', SYSTEM_ACTOR, { deadline, dueAt, reason });
        await write([ignored]);
        const opened = await openOrderCase({ orderId, reason });
        s.caseId = opened.caseId;
        await write([step('CASE_OPENED', null, SYSTEM_ACTOR, { caseId: opened.caseId, joined: opened.joined })]);
        notify('ORDER_IGNORED', e.key, { caseId: opened.caseId });
        return;
      }
    }
  }

  /** Rolls over once quiet, never holding back the next timer event (see Background.quietBefore). */
  async function rollOverIfDue(): Promise<void> {
    if (!(await background.quietBefore(() => nextEvent()?.at ?? Infinity, () => isTerminalOrder(s.status)))) return;
    log.info('continuing as new', { orderId, seq: s.seq });
    await continueAsNew<typeof orderWorkflow>({ ...input, resume: s });
  }

  if (!input.resume) {
    // A closure or joint discipline is final as recorded: its ISSUED step ends it.
    const entry = step('ISSUED', INITIAL_ORDER_STATUS[kind], input.issuedBy, { kind, deadline: input.deadline, policy: input.policy });
    notify('ORDER_ISSUED', 'issued');
    for (const i of input.bodiesToMail) notify('ORDER_BODY_NOTICE', `body:${i}`, { bodyIndex: i });
    await write([entry]);
    issued = true;
  }

  while (!isTerminalOrder(s.status)) {
    rearm = false;
    const next = nextEvent();
    const woken = next ? await condition(() => rearm, Math.max(1, next.at - Date.now())) : await condition(() => rearm).then(() => true);
    if (!woken && next) await fire(next);
    if (!isTerminalOrder(s.status) && workflowInfo().continueAsNewSuggested) await rollOverIfDue();
  }
  // No command half-written, no mail abandoned.
  await background.settled();
  return snapshot();
}

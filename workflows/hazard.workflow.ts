// One workflow per hazard (ID hazard:<id>). It owns the hazard's process state, walks the
// transition table in domain/hazard, sleeps until the next timer event of the schedule or a
// command, and writes every step to the ledger through activities. Deterministic: no IO,
// no clock but the workflow's, and every side effect in an idempotent activity.
import {
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { createActivities, LedgerEntry } from '../activities';
import { hazardNoticeKey, MAIL_RETRY } from '../domain/delivery';
import { describeFieldErrors, ErrorCode } from '../domain/errors';
import {
  AWAITING_VERIFIER,
  SYSTEM_ACTOR,
  automaticNext,
  checkCommand,
  listingTarget,
  checkPayload,
  isTerminal,
  verificationTarget,
  type Actor,
  type CommandInput,
  type HazardCommand,
  type HazardEventType,
  type HazardState,
  type NotificationKind,
} from '../domain/hazard';
import { hazardSchedule, type TimerEvent } from '../domain/policy';
import { CalendarRangeError } from '../domain/working-days';
import { LEDGER, MAIL } from './activity-options';
import {
  hazardReassignedSignal,
  hazardStateQuery,
  hazardUpdates,
  type HazardProcessState,
  type HazardSnapshot,
  type HazardWorkflowInput,
} from './hazard.messages';
import { Background, permanentFailure, writeOrMark } from './side-effects';

type Activities = ReturnType<typeof createActivities>;
const { recordHazardTransition, recordHazardTransitions, openAccountabilityReview, abandonNotification } = proxyActivities<Activities>(LEDGER);
const { sendHazardNotification } = proxyActivities<Activities>(MAIL);
// The ledger's unbounded retries (only the database fails it) with the time of one mail try.
const { recordHazardStepWithNotice } = proxyActivities<Activities>({ ...LEDGER, startToCloseTimeout: MAIL.startToCloseTimeout });

/** The deadline a notice is about, taken when its step is taken: an extension approved meanwhile does not change it. */
interface Stamp {
  deadline: string;
  deadlineVersion: number;
}

const nowIso = (): string => new Date(Date.now()).toISOString();

export async function hazardRectificationWorkflow(input: HazardWorkflowInput): Promise<HazardSnapshot> {
  const { hazardId, grade } = input;
  const workflowId = workflowInfo().workflowId;
  const s: HazardProcessState = input.resume ?? {
    state: 'REGISTERED',
    overdue: false,
    escalated: false,
    deadline: input.deadline,
    deadlineVersion: 1,
    // v3: armed when the API started the workflow (registration), so a worker that picks the hazard
    // up late still sends the reminders that were in the future then. Older runs keep their first-task instant.
    armedAt: patched('armed-at-registration') ? workflowInfo().startTime.toISOString() : nowIso(),
    firedEvents: [],
    seq: 0,
    rejections: 0,
    extensions: 0,
    pendingExtension: null,
    // v5: a major hazard is rectified at once, led by its principal (主要负责人领衔整治), while it is
    // reported to the regulator and listed for supervision beside it. Before, it waited to be listed.
    ...(grade === 'MAJOR' && patched('major-rectifies-at-once') ? { listed: false } : {}),
  };
  // Set by every command: the loop recomputes its next timer event.
  let rearm = false;
  // Mail goes out beside the steps, never in front of them (v4).
  const background = new Background();
  // Where the hazard sits now: a roster move changes it (hazardReassigned).
  const scope = s.scope ?? { enterpriseId: input.enterpriseId, countyCode: input.countyCode, departmentCode: input.departmentCode };

  const scheduleFor = (deadline: number, armedAt: number): TimerEvent[] =>
    hazardSchedule({ deadline, policy: input.policy, timeZone: input.timeZone, armedAt, ...(input.calendar ? { calendar: input.calendar } : {}) });
  const schedule = (): TimerEvent[] => scheduleFor(Date.parse(s.deadline), Date.parse(s.armedAt));
  const firedKey = (e: TimerEvent): string => `v${s.deadlineVersion}:${e.key}`;
  // While the verifier has the hazard, overdue and escalation wait: the enterprise submitted in time.
  const nextEvent = (): TimerEvent | null => {
    const paused = AWAITING_VERIFIER.includes(s.state);
    return schedule().find((e) => !s.firedEvents.includes(firedKey(e)) && !(paused && e.kind !== 'REMINDER')) ?? null;
  };
  const snapshot = (): HazardSnapshot => {
    const next = isTerminal(s.state) ? null : nextEvent();
    return {
      ...s,
      firedEvents: [...s.firedEvents],
      hazardId,
      grade,
      nextEvent: next ? { ...next, atIso: new Date(next.at).toISOString() } : null,
      ...(input.calendar ? { calendarVersion: input.calendar.version } : {}),
    };
  };

  /** Applies a step to the state now (synchronously, so validators see it) and returns its ledger entry. */
  function step(type: HazardEventType, to: HazardState | null, actor: Actor, data: Record<string, unknown> = {}): LedgerEntry {
    const fromState = s.state;
    if (to) s.state = to;
    s.seq += 1;
    return {
      hazardId,
      workflowId,
      seq: s.seq,
      type,
      fromState,
      toState: s.state,
      actor,
      data,
      at: nowIso(),
      row: {
        state: s.state,
        overdue: s.overdue,
        escalated: s.escalated,
        deadline: s.deadline,
        deadlineVersion: s.deadlineVersion,
        pendingExtension: s.pendingExtension,
      },
    };
  }

  /** On the parallel track (v5) `listed` is carried in the state; runs from before were listed on their way to rectification. */
  const parallel = (): boolean => s.listed !== undefined;
  const listed = (): boolean => s.listed ?? !(s.state === 'REGISTERED' || s.state === 'REPORTED_TO_REGULATOR');

  function automaticSteps(): LedgerEntry[] {
    const entries: LedgerEntry[] = [];
    for (let next = automaticNext(s.state, grade, parallel()); next; next = automaticNext(s.state, grade, parallel())) {
      entries.push(step(next === 'REPORTED_TO_REGULATOR' ? 'REPORTED_TO_REGULATOR' : 'RECTIFICATION_STARTED', next, SYSTEM_ACTOR));
    }
    return entries;
  }

  async function writeRaw(entries: LedgerEntry[]): Promise<void> {
    // v2 writes steps taken together in one activity (half the activities at registration);
    // histories recorded before keep their one-activity-per-step sequence on replay.
    if (entries.length > 1 && patched('ledger-batch-write')) {
      await recordHazardTransitions(entries);
      return;
    }
    for (const e of entries) await recordHazardTransition(e);
  }

  /** A step whose data the ledger refuses is still recorded, marked, and the workflow goes on. */
  const write = (entries: LedgerEntry[]): Promise<void> => writeOrMark(writeRaw, entries, { hazardId, seq: entries.at(-1)?.seq });

  const stamp = (): Stamp => ({ deadline: s.deadline, deadlineVersion: s.deadlineVersion });

  /** The request of a notice about the deadline of `at`. */
  const noticeFor = (kind: NotificationKind, eventKey: string, at: Stamp, data: Record<string, unknown>) => ({ hazardId, kind, eventKey, deadlineVersion: at.deadlineVersion, data: { deadline: at.deadline, ...data } });

  /**
   * Sends a notice about the deadline of `at`. v4 ('mail-off-the-path') starts the mail and goes
   * on: a refused or unreachable mailbox never holds back the next timer. Histories from before
   * v4 waited for each mail; they replay that way.
   */
  async function notify(kind: NotificationKind, eventKey: string, at: Stamp, data: Record<string, unknown> = {}): Promise<void> {
    const request = noticeFor(kind, eventKey, at, data);
    if (patched('mail-off-the-path')) {
      background.start('notification', { hazardId, kind, eventKey }, sendHazardNotification(request), (reason) =>
        patched('mail-gave-up-recorded') ? abandonNotification({ businessKey: hazardNoticeKey(request), reason }) : undefined,
      );
      return;
    }
    await sendHazardNotification(request).catch((err: unknown) => log.error('notification failed', { hazardId, kind, error: String(err) }));
  }

  /**
   * v6 ('step-with-its-notice'): a timer's step and its notice go out together, beside the loop:
   * one activity writes the step and the outbox row and tries the mail once (one activity task and
   * two workflow tasks per notice, where the step's write, the mail and their completions took two
   * and three), and the next timer is set in the task that fired this one, never after a write or a
   * mailbox. A mail that may heal is then retried within its bounded budget as before (notify, after
   * the first retry interval); a step the ledger refuses is written marked (write) and its notice
   * sent as before.
   */
  function stepWithNotice(entry: LedgerEntry, kind: NotificationKind, eventKey: string, at: Stamp, data: Record<string, unknown> = {}): void {
    const effect = recordHazardStepWithNotice({ entry, notice: noticeFor(kind, eventKey, at, data) }).then<unknown, void>(
      // The mail's first retry waits its interval as an activity retry would: a struggling server is not asked again at once.
      (result) => (result.status === 'PENDING' ? sleep(MAIL_RETRY.initialIntervalMs).then(() => notify(kind, eventKey, at, data)) : result),
      async (err: unknown) => {
        if (permanentFailure(err) === null) throw err;
        await write([entry]);
        await notify(kind, eventKey, at, data);
      },
    );
    background.start(`${kind} step`, { hazardId, kind, eventKey, seq: entry.seq }, effect);
  }

  async function notifyFor(entries: LedgerEntry[], at: Stamp): Promise<void> {
    for (const e of entries) if (e.type === 'REPORTED_TO_REGULATOR') await notify('REPORTED_TO_REGULATOR', 'reported', at);
  }

  function validate<C extends HazardCommand>(command: C, inp: CommandInput<C>): void {
    const check = checkCommand(command, { ...scope, state: s.state, grade, extensionPending: s.pendingExtension !== null, listed: listed() }, inp.actor);
    if (!check.ok) throw ApplicationFailure.create({ type: check.code, message: check.reason, nonRetryable: true });
    const errors = checkPayload(
      command,
      inp,
      { deadline: Date.parse(s.deadline), requestedDeadline: s.pendingExtension ? Date.parse(s.pendingExtension.requestedDeadline) : null },
      Date.now(),
    );
    // A new deadline must stay inside the calendar the workflow was armed with (working-day steps):
    // refused before acceptance, so the timer loop never meets a day it cannot count.
    const proposed = command === 'decideExtension' ? (inp as CommandInput<'decideExtension'>) : null;
    if (input.calendar && proposed && proposed.decision === 'APPROVE') {
      const next = Date.parse(proposed.deadline ?? s.pendingExtension?.requestedDeadline ?? s.deadline);
      try {
        scheduleFor(next, Date.now());
      } catch (err) {
        if (!(err instanceof CalendarRangeError)) throw err;
        errors.push({ field: proposed.deadline ? 'deadline' : 'requestedDeadline', reason: `${err.message}: this hazard's working-day calendar (${input.calendar.version}) was fixed when it was registered` });
      }
    }
    if (errors.length > 0) {
      throw ApplicationFailure.create({
        type: ErrorCode.VALIDATION_FAILED,
        message: describeFieldErrors(errors),
        details: [errors],
        nonRetryable: true,
      });
    }
  }

  /** Registers a command: validated before acceptance, applied synchronously, then written and announced. */
  function command<C extends HazardCommand>(
    name: C,
    apply: (inp: CommandInput<C>) => { entries: LedgerEntry[]; after?: (at: Stamp) => Promise<void> },
  ): void {
    const update: UpdateDefinition<HazardSnapshot, [CommandInput<C>]> = hazardUpdates[name];
    setHandler(
      update,
      async (inp: CommandInput<C>) => {
        const { entries, after } = apply(inp);
        // Taken with the step: a command that lands while this one is written cannot change what its notice says.
        const at = stamp();
        rearm = true;
        await write(entries);
        await after?.(at);
        return snapshot();
      },
      { validator: (inp: CommandInput<C>) => validate(name, inp) },
    );
  }

  setHandler(hazardStateQuery, snapshot);

  command('listForSupervision', ({ actor, note }) => {
    // On the parallel track the hazard stays where its rectification is; a run from before leaves its waiting state.
    if (parallel()) s.listed = true;
    const entries = [step('LISTED_FOR_SUPERVISION', listingTarget(s.state), actor, { note }), ...automaticSteps()];
    return { entries, after: (at) => notify('LISTED_FOR_SUPERVISION', 'listed', at, { note }) };
  });

  // Evidence arrives by id (the ledger holds it in full); runs from before carry it inline.
  command('submitRectification', ({ actor, evidence, attachments, contentId }) => ({
    entries: [step('RECTIFICATION_SUBMITTED', 'SUBMITTED', actor, { evidence, attachments: attachments ?? [], ...(contentId ? { contentId } : {}) })],
  }));

  command('decideVerification', ({ actor, decision, reason }) => {
    if (decision === 'ACCEPT') return { entries: [step('VERIFICATION_ACCEPTED', verificationTarget(decision), actor, { reason })] };
    s.rejections += 1;
    const entry = step('VERIFICATION_REJECTED', verificationTarget(decision), actor, { reason, rejection: s.rejections });
    return { entries: [entry], after: (at) => notify('REJECTED', `rejected:${entry.seq}`, at, { reason }) };
  });

  command('close', ({ actor, note }) => ({ entries: [step('CLOSED', 'CLOSED', actor, { note })] }));

  command('requestExtension', ({ actor, requestedDeadline, reason }) => {
    s.pendingExtension = { requestedDeadline: new Date(requestedDeadline).toISOString(), reason, requestedAt: nowIso(), requestedBy: actor };
    return { entries: [step('EXTENSION_REQUESTED', null, actor, { requestedDeadline: s.pendingExtension.requestedDeadline, reason })] };
  });

  command('decideExtension', ({ actor, decision, deadline, reason }) => {
    const pending = s.pendingExtension!;
    s.pendingExtension = null;
    if (decision === 'REFUSE') {
      const entry = step('EXTENSION_REFUSED', null, actor, { requestedDeadline: pending.requestedDeadline, reason });
      return { entries: [entry], after: (at) => notify('EXTENSION_DECIDED', `extension:${entry.seq}`, at, { decision, reason }) };
    }
    const previousDeadline = s.deadline;
    // A new deadline version re-arms every timer: reminders already past for it are skipped.
    s.deadline = new Date(deadline ?? pending.requestedDeadline).toISOString();
    s.deadlineVersion += 1;
    s.armedAt = nowIso();
    s.firedEvents = [];
    s.overdue = false;
    s.extensions += 1;
    const entry = step('EXTENSION_APPROVED', null, actor, { previousDeadline, deadline: s.deadline, reason });
    return { entries: [entry], after: (at) => notify('EXTENSION_DECIDED', `extension:${entry.seq}`, at, { decision, reason, previousDeadline }) };
  });

  command('withdraw', ({ actor, reason }) => ({ entries: [step('WITHDRAWN', 'WITHDRAWN', actor, { reason })] }));

  // The ledger row and its REASSIGNED event are written with the roster move (db/hazard-moves.repo);
  // the workflow only learns whom to accept commands from.
  setHandler(hazardReassignedSignal, ({ countyCode, departmentCode }) => {
    scope.countyCode = countyCode;
    scope.departmentCode = departmentCode;
    s.scope = { ...scope };
  });

  async function fire(e: TimerEvent): Promise<void> {
    s.firedEvents.push(firedKey(e));
    // The notice is about the deadline this event was fired for, whatever a command changes while it is written.
    const at = stamp();
    const deadline = at.deadline;
    // The instant the schedule set for this event; the entry's `at` is when the workflow acted on it.
    const dueAt = new Date(e.at).toISOString();
    const together = patched('step-with-its-notice');
    switch (e.kind) {
      case 'REMINDER':
        if (AWAITING_VERIFIER.includes(s.state)) {
          await write([step('REMINDER_SKIPPED', null, SYSTEM_ACTOR, { offset: e.offset, deadline, dueAt, reason: `hazard is ${s.state}` })]);
          return;
        }
      {
        // Stamped when the timer fires; the mail's delivery is on the outbox.
        const entry = step('REMINDER_SENT', null, SYSTEM_ACTOR, { offset: e.offset, deadline, dueAt });
        if (together) return stepWithNotice(entry, 'REMINDER', e.key, at, { offset: e.offset });
        await notify('REMINDER', e.key, at, { offset: e.offset });
        await write([entry]);
        return;
      }
      case 'OVERDUE': {
        s.overdue = true;
        const entry = step('OVERDUE', null, SYSTEM_ACTOR, { deadline, dueAt });
        if (together) return stepWithNotice(entry, 'OVERDUE', e.key, at);
        await write([entry]);
        await notify('OVERDUE', e.key, at);
        return;
      }
      case 'ESCALATION': {
        s.escalated = true;
        const when = nowIso();
        const reason = `not rectified ${e.offset ?? ''} after the deadline ${deadline}`;
        const review = await openAccountabilityReview({ hazardId, deadlineVersion: at.deadlineVersion, reason, at: when });
        const entry = { ...step('ESCALATED', null, SYSTEM_ACTOR, { deadline, dueAt, reviewId: review.reviewId, reason }), at: when };
        if (together) return stepWithNotice(entry, 'ESCALATED', e.key, at, { reviewId: review.reviewId, reason });
        await write([entry]);
        await notify('ESCALATED', e.key, at, { reviewId: review.reviewId, reason });
        return;
      }
    }
  }

  /** v4: rolls over once quiet, never holding back the next timer event (see Background.quietBefore). */
  async function rollOverIfDue(): Promise<void> {
    if (!(await background.quietBefore(() => nextEvent()?.at ?? Infinity, () => isTerminal(s.state)))) return;
    log.info('continuing as new', { hazardId, seq: s.seq });
    await continueAsNew<typeof hazardRectificationWorkflow>({ ...input, resume: s });
  }

  if (!input.resume) {
    const entries = [step('REGISTERED', 'REGISTERED', input.reportedBy, { deadline: s.deadline, grade }), ...automaticSteps()];
    const at = stamp();
    await write(entries);
    await notifyFor(entries, at);
  }

  while (!isTerminal(s.state)) {
    rearm = false;
    const next = nextEvent();
    const woken = next
      ? await condition(() => rearm, Math.max(1, next.at - Date.now()))
      : await condition(() => rearm).then(() => true);
    if (!woken && next) await fire(next);
    if (!isTerminal(s.state) && workflowInfo().continueAsNewSuggested) {
      if (patched('continue-as-new-waits-for-mail')) await rollOverIfDue();
      else {
        await background.settled();
        log.info('continuing as new', { hazardId, seq: s.seq });
        await continueAsNew<typeof hazardRectificationWorkflow>({ ...input, resume: s });
      }
    }
  }
  await background.settled();
  return snapshot();
}

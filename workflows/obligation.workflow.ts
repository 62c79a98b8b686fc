// One workflow per duty holder per campaign: a county's or department's implementation plan,
// progress reports and summary (`obligation:<campaign>:<unit>`), or a department's inspection of
// a drawn enterprise (`inspection:<campaign>:<enterprise>`). It reminds before each due instant,
// records a missed duty (to the unit and the office, for accountability), takes submissions
// (late ones marked late) and ends once everything is in or the late window has passed.
import {
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities, DutyLedgerEntry } from '../activities';
import { dutySchedule, type Duty } from '../domain/campaign';
import { parseDuration } from '../domain/duration';
import { dutyNoticeKey } from '../domain/delivery';
import { describeFieldErrors, ErrorCode } from '../domain/errors';
import { unstorableFields } from '../domain/text';
import { SYSTEM_ACTOR, type Actor } from '../domain/hazard';
import { shiftInstant } from '../domain/policy';
import { FAN_OUT, LEDGER, MAIL } from './activity-options';
import { Background, permanentFailure, writeOrMark } from './side-effects';
import {
  dutiesAssigned,
  obligationStateQuery,
  rescheduleDutiesSignal,
  submitDutyUpdate,
  type DutyStatus,
  type DutySubmission,
  type ObligationInput,
  type ObligationState,
} from './campaign.messages';

type Activities = ReturnType<typeof createActivities>;
const { recordDutyEvents, abandonNotification } = proxyActivities<Activities>(LEDGER);
const { sendDutyNotification } = proxyActivities<Activities>(MAIL);
const { registerInspectionFindings } = proxyActivities<Activities>(FAN_OUT);

const nowIso = (): string => new Date(Date.now()).toISOString();

/** Who may submit a duty: its holder (county or department by code), or the office. */
export function maySubmit(actor: Actor, holderCode: string): boolean {
  if (actor.role === 'admin' || actor.role === 'office') return true;
  return (actor.role === 'county' || actor.role === 'department') && actor.scope === holderCode;
}

/** Who may file an enterprise's self-inspection: the enterprise itself, its county, or the office. */
export function mayFileSelfInspection(actor: Actor, input: Pick<ObligationInput, 'subjectEnterpriseId' | 'subjectCountyCode'>): boolean {
  if (actor.role === 'admin' || actor.role === 'office') return true;
  if (actor.role === 'enterprise') return actor.scope !== null && actor.scope === input.subjectEnterpriseId;
  return actor.role === 'county' && actor.scope !== null && actor.scope === input.subjectCountyCode;
}

export async function obligationWorkflow(input: ObligationInput): Promise<ObligationState> {
  const { obligationId, campaignId, holderCode } = input;
  const s: ObligationState = input.resume ?? {
    duties: input.duties.map((duty) => ({ duty, state: 'PENDING', late: false, submittedAt: null })),
    firedEvents: [],
    // Armed when the campaign started this workflow, not when a worker first ran it.
    armedAt: workflowInfo().startTime.toISOString(),
    // Past the DUTY_ASSIGNED steps (seq 1..n) from the start: a submission that comes with the start
    // is handled when its handler is set (above the main code), and its step must follow them, not
    // take seq 1 and be dropped on the ledger as a duplicate. Only activity inputs change: replay-safe.
    seq: input.duties.length,
    closed: false,
  };
  let rearm = false;
  // Signals cannot await: their ledger writes are flushed by the main loop.
  const pendingWrites: DutyLedgerEntry[][] = [];
  // Mail goes out beside the steps (v2); duties whose submission is being recorded (v2).
  const background = new Background();
  const submitting = new Set<string>();
  const record = (entries: DutyLedgerEntry[]): Promise<void> => writeOrMark(recordDutyEvents, entries, { obligationId, seq: entries.at(-1)?.seq });

  /** v2 ('mail-off-the-path') starts the mail and goes on; earlier histories waited for it. */
  async function notify(input: Parameters<Activities['sendDutyNotification']>[0]): Promise<void> {
    if (patched('mail-off-the-path')) {
      background.start('duty notification', { obligationId, kind: input.kind, eventKey: input.eventKey }, sendDutyNotification(input), (reason) =>
        patched('mail-gave-up-recorded') ? abandonNotification({ businessKey: dutyNoticeKey(input), reason }) : undefined,
      );
      return;
    }
    await sendDutyNotification(input).catch((err: unknown) => log.error('duty notification failed', { obligationId, error: String(err) }));
  }

  async function flush(): Promise<void> {
    while (pendingWrites.length > 0) await record(pendingWrites.shift()!);
  }

  /** Before the run ends or continues as new: nothing queued, nothing running, no mail abandoned. */
  async function settle(): Promise<void> {
    for (;;) {
      await flush();
      await condition(() => pendingWrites.length > 0 || background.quiet);
      if (pendingWrites.length === 0) return;
    }
  }

  const fireKey = (d: Duty, key: string) => `${d.key}@${d.dueAt}:${key}`;
  const lateWindow = parseDuration(input.lateWindow);
  const closesAt = (): number => {
    const lastDue = Math.max(...s.duties.map((d) => d.duty.dueAt));
    return lateWindow ? shiftInstant(lastDue, lateWindow, 1, input.timeZone) : lastDue;
  };
  const nextEvent = () =>
    s.duties
      // A duty whose submission is being recorded is not missed meanwhile.
      .filter((d) => d.state === 'PENDING' && !submitting.has(d.duty.key))
      .flatMap((d) => dutySchedule(d.duty, input.reminderOffsets, Date.parse(s.armedAt), input.timeZone).map((e) => ({ ...e, status: d })))
      .filter((e) => !s.firedEvents.includes(fireKey(e.status.duty, e.key)))
      .sort((a, b) => a.at - b.at)[0] ?? null;

  function entry(d: DutyStatus, type: string, actor: Actor, data: Record<string, unknown> = {}): DutyLedgerEntry {
    s.seq += 1;
    return {
      campaignId,
      obligationId,
      holderCode,
      subjectEnterpriseId: input.subjectEnterpriseId ?? null,
      seq: s.seq,
      type,
      actor,
      data,
      at: nowIso(),
      duty: d.duty,
      state: d.state,
      late: d.late,
      submittedAt: d.submittedAt,
    };
  }

  setHandler(obligationStateQuery, () => s);

  async function submit(d: DutyStatus, content: Record<string, unknown>, actor: Actor): Promise<DutyStatus> {
    const done: DutyStatus = { ...d, state: 'SUBMITTED', late: Date.now() > d.duty.dueAt, submittedAt: nowIso() };
    submitting.add(d.duty.key);
    try {
      let recorded = content;
      // The result arrives by id with its finding count (the ledger holds it in full), or inline.
      const findings = Array.isArray(content.findings) ? content.findings : undefined;
      const findingCount = findings?.length ?? (typeof content.findingCount === 'number' ? content.findingCount : 0);
      if (d.duty.kind === 'INSPECTION' && input.subjectEnterpriseId && findingCount > 0) {
        // Every finding becomes a hazard (source: spot-check) with its own workflow, exactly once.
        const contentId = typeof content.contentId === 'string' ? content.contentId : undefined;
        const { hazardIds } = await registerInspectionFindings({ campaignId, obligationId, seq: s.seq + 1, enterpriseId: input.subjectEnterpriseId, findings, contentId, actor });
        recorded = { ...content, hazardIds };
      }
      await recordDutyEvents([{ ...entry(done, done.late ? 'DUTY_SUBMITTED_LATE' : 'DUTY_SUBMITTED', actor, { content: recorded }), content: recorded }]);
    } catch (err) {
      const reason = permanentFailure(err);
      throw ApplicationFailure.create({
        type: reason === null ? ErrorCode.INTERNAL : ErrorCode.VALIDATION_FAILED,
        message: `the submission was not recorded: ${reason ?? (err instanceof Error ? err.message : String(err))}`,
        nonRetryable: true,
      });
    } finally {
      submitting.delete(d.duty.key);
    }
    Object.assign(d, { state: done.state, late: done.late, submittedAt: done.submittedAt });
    rearm = true;
    return d;
  }

  setHandler(rescheduleDutiesSignal, ({ duties, reason }) => {
    const entries: DutyLedgerEntry[] = [];
    for (const moved of duties) {
      const d = s.duties.find((x) => x.duty.key === moved.key);
      if (!d || d.state === 'SUBMITTED' || (d.duty.dueAt === moved.dueAt && d.duty.opensAt === moved.opensAt)) continue;
      const previousDueAt = d.duty.dueAt;
      d.duty = moved;
      // A missed duty whose due instant moved into the future is open again.
      if (d.state === 'MISSED' && moved.dueAt > Date.now()) d.state = 'PENDING';
      entries.push(entry(d, 'DUTY_RESCHEDULED', SYSTEM_ACTOR, { previousDueAt: new Date(previousDueAt).toISOString(), dueAt: new Date(moved.dueAt).toISOString(), reason }));
    }
    s.armedAt = nowIso();
    rearm = true;
    if (entries.length > 0) pendingWrites.push(entries);
  });

  setHandler(
    submitDutyUpdate,
    async ({ dutyKey, content, actor }: DutySubmission) => {
      const d = s.duties.find((x) => x.duty.key === dutyKey)!;
      // v2: the duty is SUBMITTED only once its record is on the ledger; a refused record refuses the submission.
      if (patched('duty-recorded-before-submitted')) return submit(d, content, actor);
      d.late = Date.now() > d.duty.dueAt;
      d.state = 'SUBMITTED';
      d.submittedAt = nowIso();
      rearm = true;
      let recorded = content;
      const seq = s.seq + 1;
      if (d.duty.kind === 'INSPECTION' && input.subjectEnterpriseId && Array.isArray(content.findings) && content.findings.length > 0) {
        // Every finding becomes a hazard (source: spot-check) with its own workflow, exactly once.
        const { hazardIds } = await registerInspectionFindings({ campaignId, obligationId, seq, enterpriseId: input.subjectEnterpriseId, findings: content.findings, actor });
        recorded = { ...content, hazardIds };
      }
      await recordDutyEvents([{ ...entry(d, d.late ? 'DUTY_SUBMITTED_LATE' : 'DUTY_SUBMITTED', actor, { content: recorded }), content: recorded }]);
      return d;
    },
    {
      validator: ({ dutyKey, actor, content }: DutySubmission) => {
        const unstorable = unstorableFields(content, 'content');
        if (unstorable.length > 0) throw ApplicationFailure.create({ type: ErrorCode.VALIDATION_FAILED, message: describeFieldErrors(unstorable), details: [unstorable], nonRetryable: true });
        const d = s.duties.find((x) => x.duty.key === dutyKey);
        const allowed = d?.duty.kind === 'SELF_INSPECTION' ? mayFileSelfInspection(actor, input) : maySubmit(actor, holderCode);
        if (!d || !allowed) throw ApplicationFailure.create({ type: ErrorCode.NOT_FOUND, message: `no duty ${dutyKey} for you here`, nonRetryable: true });
        if (submitting.has(dutyKey)) throw ApplicationFailure.create({ type: ErrorCode.CONFLICT, message: `${dutyKey} is being submitted by another request`, nonRetryable: true });
        if (d.state === 'SUBMITTED') throw ApplicationFailure.create({ type: ErrorCode.ILLEGAL_TRANSITION, message: `${dutyKey} was already submitted`, nonRetryable: true });
        if (s.closed) throw ApplicationFailure.create({ type: ErrorCode.ILLEGAL_TRANSITION, message: 'the late window has closed', nonRetryable: true });
      },
    },
  );

  if (!input.resume) {
    const assigned = dutiesAssigned(input, nowIso());
    // v8: the campaign that started this run mails the holder what is due, for the run's whole page at
    // once (sendAssignmentNotices): the run's first task only arms its timers. One marker, not two: a
    // run carrying it was started by a v8 fan-out, whose ledger flag needs no marker of its own.
    const noticedByFanOut = input.noticedByFanOut === true && patched('duties-noticed-by-fan-out');
    // v7: the fan-out that started this run put these steps on the ledger for its whole page at once
    // (activities/campaign.activities.ts startObligationPage): not written again here.
    if (!(input.assignedOnLedger === true && (noticedByFanOut || patched('duties-assigned-by-fan-out')))) await record(assigned);
    // Tells the holder what is due, once, with every duty and its instant.
    if (!noticedByFanOut) await notify({ campaignId, obligationId, holderCode, duty: s.duties[0]!.duty, kind: 'DUTIES_ASSIGNED', eventKey: 'assigned' });
  }

  /**
   * v3: rolls over once no mail is on its way (continuing as new would abandon its retries), queued
   * writes are on the ledger and no message is half-handled, but waits no longer than the next
   * timer event: timers are never held back. When it cannot roll over, the next wake tries again.
   */
  async function rollOverIfDue(): Promise<void> {
    await flush();
    const wakeAt = (): number => Math.min(nextEvent()?.at ?? Infinity, closesAt());
    if (await background.quietBefore(wakeAt, () => pendingWrites.length > 0 || s.duties.every((d) => d.state === 'SUBMITTED'))) {
      await continueAsNew<typeof obligationWorkflow>({ ...input, resume: s });
    }
  }

  for (;;) {
    await flush();
    if (s.duties.every((d) => d.state === 'SUBMITTED')) break;
    // v3: a run woken only by messages (reschedules, submissions) rolls over too, not only after a timer.
    if (workflowInfo().continueAsNewSuggested && patched('continue-as-new-waits-for-mail')) await rollOverIfDue();
    rearm = false;
    const next = nextEvent();
    const until = Math.min(next?.at ?? Infinity, closesAt());
    const woken = await condition(() => rearm, Math.max(1, until - Date.now()));
    if (woken) continue;
    if (!next || next.at > Date.now()) {
      if (Date.now() >= closesAt()) break;
      continue;
    }
    const d = next.status;
    // The event was chosen before the wait: a submission that began meanwhile is not reminded or
    // missed under it (its step would be written after the submission's, with the duty PENDING).
    // Once recorded the duty has no events left; if refused, the event fires then. Only a run that
    // meets this race carries the marker, so every recorded history replays as it was.
    if (submitting.has(d.duty.key) && patched('duty-event-waits-for-submission')) continue;
    s.firedEvents.push(fireKey(d.duty, next.key));
    if (next.kind === 'REMINDER') {
      await notify({ campaignId, obligationId, holderCode, duty: d.duty, kind: 'DUTY_REMINDER', eventKey: fireKey(d.duty, next.key) });
      await record([entry(d, 'DUTY_REMINDER_SENT', SYSTEM_ACTOR, { dueAt: new Date(d.duty.dueAt).toISOString(), scheduledAt: new Date(next.at).toISOString() })]);
    } else if (d.state === 'PENDING') {
      d.state = 'MISSED';
      await record([{ ...entry(d, 'DUTY_MISSED', SYSTEM_ACTOR, { dueAt: new Date(d.duty.dueAt).toISOString(), scheduledAt: new Date(next.at).toISOString() }), missedAt: nowIso() }]);
      await notify({ campaignId, obligationId, holderCode, duty: d.duty, kind: 'DUTY_MISSED', eventKey: fireKey(d.duty, next.key) });
    }
    if (workflowInfo().continueAsNewSuggested) {
      if (patched('continue-as-new-waits-for-mail')) await rollOverIfDue();
      else {
        // Queued writes (a reschedule signalled meanwhile) go to the ledger before the run ends.
        await settle();
        await continueAsNew<typeof obligationWorkflow>({ ...input, resume: s });
      }
    }
  }
  s.closed = true;
  await settle();
  return s;
}

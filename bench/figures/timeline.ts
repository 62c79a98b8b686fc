// Where a reminder's lateness went, read from its workflow's history: the server firing the timer, the
// workflow task that handles it, the activity waiting for a slot, and the activity itself up to the mail
// accepted by the SMTP sink. Used by the lateness figure for every probe reminder.
import proto from '@temporalio/proto';
import { hazardWorkflowId } from '../../workflows/ids';
import { pct, type Stack } from '../stack';

const EventType = proto.temporal.api.enums.v1.EventType;
const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number => Number(t?.seconds ?? 0) * 1000 + Math.round((t?.nanos ?? 0) / 1e6);

/** Milliseconds of each leg (NaN where the history has no such event) and the whole path as text. */
export interface ReminderPath {
  /**
   * The timer's own fire time (its started event + its duration) minus the due instant: the workflow sets
   * `due - Date.now()` with the clock of the task's start, and the server counts from the task's completion.
   */
  arm: number;
  /** Timer fired minus its own fire time: the server's timer queue. */
  fire: number;
  /** From the timer fired to the mail's activity scheduled: the workflow task (queue, replay on a cache miss, run). */
  task: number;
  /** Activity scheduled to started: waiting for a worker's activity slot. */
  queue: number;
  /** Activity started to the mail accepted by the sink: the ledger write, the outbox row, SMTP. */
  activity: number;
  text: string;
}

/**
 * One reminder's path as offsets from the due instant (ms): e.g. `fired +380 | wft s+380 st+383 c+398 |
 * recordHazardStepWithNotice s+399 st+405(attempt 1) c+550 | mail +545`.
 */
export async function reminderPath(stack: Stack, hazardId: string, dueAt: number, mailAt: number): Promise<ReminderPath> {
  const history = await stack.client.workflow.getHandle(hazardWorkflowId(hazardId)).fetchHistory();
  const evs = history.events ?? [];
  const firedAt = evs.findIndex((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED && ms(e.eventTime) >= dueAt - 1000);
  const none = { arm: NaN, fire: NaN, task: NaN, queue: NaN, activity: NaN };
  if (firedAt < 0) return { ...none, text: `${hazardId}: no timer fired at the instant (mail +${mailAt - dueAt})` };
  const rel = (e: (typeof evs)[number]) => `${ms(e.eventTime) - dueAt >= 0 ? '+' : ''}${ms(e.eventTime) - dueAt}`;
  const fired = evs[firedAt]!;
  const parts = [`fired ${rel(fired)}`];
  let scheduled: number | undefined;
  let startedAt: number | undefined;
  for (const e of evs.slice(firedAt + 1)) {
    if (ms(e.eventTime) > mailAt + 5000) break;
    switch (e.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED: parts.push(`| wft s${rel(e)}`); break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED: parts.push(`st${rel(e)}`); break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: parts.push(`c${rel(e)}`); break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT: parts.push(`TIMED-OUT${rel(e)}`); break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED: parts.push(`FAILED${rel(e)}`); break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        scheduled ??= ms(e.eventTime);
        parts.push(`| ${e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?'} s${rel(e)}`);
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        startedAt ??= ms(e.eventTime);
        parts.push(`st${rel(e)}(attempt ${e.activityTaskStartedEventAttributes?.attempt ?? '?'})`);
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: parts.push(`c${rel(e)}`); break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: parts.push(`F${rel(e)}`); break;
      case EventType.EVENT_TYPE_TIMER_STARTED: parts.push(`| timer ${rel(e)}`); break;
      default: break;
    }
  }
  const f = ms(fired.eventTime);
  const timer = evs.find((e) => Number(e.eventId) === Number(fired.timerFiredEventAttributes?.startedEventId));
  const d = timer?.timerStartedEventAttributes?.startToFireTimeout;
  const own = timer && d ? ms(timer.eventTime) + ms(d) : NaN;
  // The task that set the timer: the workflow's clock is its start, the server counts from its completion.
  const completed = evs.find((e) => Number(e.eventId) === Number(timer?.timerStartedEventAttributes?.workflowTaskCompletedEventId));
  const startedTask = evs.find((e) => Number(e.eventId) === Number(completed?.workflowTaskCompletedEventAttributes?.startedEventId));
  const armTask = completed && startedTask ? ms(completed.eventTime) - ms(startedTask.eventTime) : NaN;
  return {
    arm: own - dueAt,
    fire: f - own,
    task: scheduled !== undefined ? scheduled - f : NaN,
    queue: scheduled !== undefined && startedAt !== undefined ? startedAt - scheduled : NaN,
    activity: startedAt !== undefined ? mailAt - startedAt : NaN,
    text: `armed +${own - dueAt} (arming task started→completed ${armTask} ms) ${parts.join(' ')} | mail +${mailAt - dueAt}`,
  };
}

/** p50/p99 of each leg over many paths. */
type Leg = 'arm' | 'fire' | 'task' | 'queue' | 'activity';

export function legs(paths: ReminderPath[]): Record<Leg, { p50: number; p99: number }> {
  const of = (k: Leg) => {
    const xs = paths.map((p) => p[k]).filter((x) => Number.isFinite(x));
    return { p50: pct(xs, 50), p99: pct(xs, 99) };
  };
  return { arm: of('arm'), fire: of('fire'), task: of('task'), queue: of('queue'), activity: of('activity') };
}

/** Milliseconds of a new hazard's way to its first state, from its workflow's history. */
export interface FirstStatePath {
  /** Workflow started (the API's start call) to its first workflow task started: the server's and the worker's queue. */
  taskQueue: number;
  /** The first workflow task, started to completed. */
  taskRun: number;
  /** The ledger activity that writes the first state: scheduled to started (activity slot). */
  activityQueue: number;
  /** That activity, started to completed (the first state is on the ledger just before it completes). */
  activityRun: number;
  /** Activity types scheduled by the first workflow task. */
  activities: string[];
}

export async function firstStatePath(stack: Stack, hazardId: string): Promise<FirstStatePath> {
  const evs = (await stack.client.workflow.getHandle(hazardWorkflowId(hazardId)).fetchHistory()).events ?? [];
  const at = (type: number, from = 0) => {
    const i = evs.findIndex((e, j) => j >= from && e.eventType === type);
    return { i, t: i >= 0 ? ms(evs[i]!.eventTime) : NaN };
  };
  const started = at(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  const wftStarted = at(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
  const wftDone = at(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  const scheduled = at(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, wftDone.i);
  const actStarted = at(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, scheduled.i);
  const actDone = at(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, scheduled.i);
  const activities = evs.slice(wftDone.i, wftDone.i + 10).filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?');
  return {
    taskQueue: wftStarted.t - started.t,
    taskRun: wftDone.t - wftStarted.t,
    activityQueue: actStarted.t - scheduled.t,
    activityRun: actDone.t - actStarted.t,
    activities,
  };
}

/** p50/p99 of each leg of many first-state paths, and the activities the first task scheduled (by count). */
export function firstStateLegs(paths: FirstStatePath[]) {
  const of = (k: 'taskQueue' | 'taskRun' | 'activityQueue' | 'activityRun') => {
    const xs = paths.map((p) => p[k]).filter((x) => Number.isFinite(x));
    return { p50: pct(xs, 50), p99: pct(xs, 99) };
  };
  const kinds: Record<string, number> = {};
  for (const p of paths) kinds[p.activities.join('+') || 'none'] = (kinds[p.activities.join('+') || 'none'] ?? 0) + 1;
  return { taskQueue: of('taskQueue'), taskRun: of('taskRun'), activityQueue: of('activityQueue'), activityRun: of('activityRun'), firstTaskScheduled: kinds };
}

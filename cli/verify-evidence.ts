// Checks an accountability case's evidence bundle (GET /v1/cases/{id}/evidence) with nothing but
// the bundle and this repository's workflow code: the SHA-256 digests of its parts and of the
// whole, a replay of every history run against the workflows, and the ledger's record against the
// case workflow's history (each step stamped with a workflow task's time, each timer step after
// its timer fired).
// Usage: npx tsx cli/verify-evidence.ts case.json     (exit 0: every check holds; 1: a finding)
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { canonicalJson } from '../domain/canonical-json';
import { WORKFLOWS_PATH } from '../worker/worker';

type HistoryEvent = { eventType?: string; eventTime?: string; [k: string]: unknown };
interface Bundle {
  manifest: { sha256: string; parts: Record<string, string>; runs: { workflowId: string; runId: string; sha256: string }[] };
  record: { stream: string; type: string; at: string; seq: number; data: Record<string, unknown> }[];
  histories: { workflowId: string; role: string; chain: string; runs: { runId: string; history: { events: HistoryEvent[] } }[] }[];
  [part: string]: unknown;
}

export interface Finding {
  check: string;
  ok: boolean;
  detail?: string;
}

const sha256 = (v: unknown): string => createHash('sha256').update(canonicalJson(v)).digest('hex');

/** The manifest's digests against the bundle's content. */
export function checkDigests(bundle: Bundle): Finding[] {
  const { manifest, ...parts } = bundle;
  const findings: Finding[] = [{ check: 'the whole (every part but the manifest)', ok: sha256(parts) === manifest.sha256 }];
  for (const [name, digest] of Object.entries(manifest.parts)) findings.push({ check: `part ${name}`, ok: sha256(parts[name]) === digest });
  for (const r of manifest.runs) {
    const run = bundle.histories.find((h) => h.workflowId === r.workflowId)?.runs.find((x) => x.runId === r.runId);
    findings.push({ check: `history ${r.workflowId} run ${r.runId}`, ok: run !== undefined && sha256(run.history) === r.sha256 });
  }
  return findings;
}

const TASK_STARTED = 'EVENT_TYPE_WORKFLOW_TASK_STARTED';
const time = (iso: string | undefined): number => (iso ? Date.parse(iso) : NaN);

/** The case's record against its workflow's history: the same clock, the same order, timers before their steps. */
export function checkLedgerAgainstHistory(bundle: Bundle): Finding[] {
  const own = bundle.histories.find((h) => h.role === 'case');
  if (!own || own.runs.length === 0) return [{ check: 'the case workflow has a history', ok: false }];
  const events = own.runs.flatMap((r) => r.history.events);
  const steps = bundle.record.filter((e) => e.stream === 'case');
  const findings: Finding[] = [{ check: 'the case steps are numbered 1, 2, 3… in order', ok: steps.every((e, i) => e.seq === i + 1) }];
  for (const step of steps) {
    const task = events.findIndex((e) => e.eventType === TASK_STARTED && time(e.eventTime) === time(step.at));
    findings.push({ check: `${step.type} #${step.seq} at ${step.at} is a workflow task's time`, ok: task >= 0 });
    if (task < 0 || (step.type !== 'REVIEW_REMINDER_SENT' && step.type !== 'REVIEW_OVERDUE')) continue;
    // The task that took a timer step is the first after its timer fired, at or after the instant the schedule set.
    const before = events.slice(0, task).reverse().find((e) => e.eventType === 'EVENT_TYPE_TIMER_FIRED' || e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED');
    const dueAt = time(typeof step.data.dueAt === 'string' ? step.data.dueAt : undefined);
    findings.push({
      check: `${step.type} #${step.seq} follows its timer (due ${String(step.data.dueAt)})`,
      ok: before?.eventType === 'EVENT_TYPE_TIMER_FIRED' && time(before.eventTime) >= dueAt,
      detail: before ? `${before.eventType} at ${before.eventTime}` : 'no event before it',
    });
  }
  return findings;
}

/** Every run replayed against this repository's workflow code: a history the code would not have made fails. */
export async function replayHistories(bundle: Bundle, workflowBundle?: WorkflowBundleWithSourceMap): Promise<Finding[]> {
  const code = workflowBundle ?? (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH }));
  const findings: Finding[] = [];
  for (const h of bundle.histories) {
    for (const run of h.runs) {
      try {
        await Worker.runReplayHistory({ workflowBundle: code }, run.history, h.workflowId);
        findings.push({ check: `replay ${h.workflowId} run ${run.runId}`, ok: true });
      } catch (err) {
        findings.push({ check: `replay ${h.workflowId} run ${run.runId}`, ok: false, detail: err instanceof Error ? err.message : String(err) });
      }
    }
  }
  return findings;
}

/** All the checks; `ok` when every one holds. */
export async function verifyEvidence(bundle: Bundle, workflowBundle?: WorkflowBundleWithSourceMap): Promise<{ ok: boolean; findings: Finding[] }> {
  const findings = [...checkDigests(bundle), ...checkLedgerAgainstHistory(bundle), ...(await replayHistories(bundle, workflowBundle))];
  return { ok: findings.every((f) => f.ok), findings };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: npx tsx cli/verify-evidence.ts <bundle.json>');
    process.exit(2);
  }
  const bundle = JSON.parse(await readFile(file, 'utf8')) as Bundle;
  const { ok, findings } = await verifyEvidence(bundle);
  for (const f of findings) console.log(`${f.ok ? 'ok  ' : 'FAIL'} ${f.check}${f.detail && !f.ok ? ` — ${f.detail}` : ''}`);
  const incomplete = (bundle.manifest as { complete?: boolean }).complete === false;
  console.log(ok ? `every check holds${incomplete ? ' (the bundle says it is not complete: see manifest.limits and the chains)' : ''}` : 'the bundle does not check out');
  process.exit(ok ? 0 : 1);
}

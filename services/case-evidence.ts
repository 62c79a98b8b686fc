// The evidence bundle of an accountability case: what the ledger holds about it (the row, its
// causes, the ordered record, its mail) and the Temporal event histories of every workflow that
// took part (the case's own, each linked hazard's, each missed duty's obligation), with a
// manifest of SHA-256 digests over canonical JSON so a third party can check that nothing was
// changed, replay the histories against the workflow code, and compare them with the ledger.
import { isGrpcServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { Db } from '../db/client';
import { causesOf, mailOfCase, obligationsOfDutyCauses, type CaseRow } from '../db/cases.repo';
import { caseRecord, readRecord, type RecordCursor, type RecordEntry } from '../db/record.repo';
import { DomainError, ErrorCode } from '../domain/errors';
import type { Actor } from '../domain/hazard';
import { caseWorkflowId, hazardWorkflowId, orderWorkflowId } from '../workflows/ids';
import { requestHash } from './hazard-report';
import type { TemporalTarget } from './temporal';

/** Caps that bound a bundle's size; what they cut is said in the manifest. */
export const EVIDENCE_LIMITS = {
  causes: 1_000,
  recordEntries: 10_000,
  mails: 1_000,
  /** Linked hazard and obligation workflows, besides the case's own. */
  linkedWorkflows: 25,
  /** Runs per workflow ID, newest first, following a continue-as-new chain back. */
  runsPerWorkflow: 10,
} as const;

export const EVIDENCE_FORMAT = 'hazard-campaign/case-evidence/v1';

/** SHA-256 (hex) of a value's canonical JSON: object keys sorted at every level, no whitespace, UTF-8. */
export const evidenceDigest = (value: unknown): string => requestHash(JSON.parse(JSON.stringify(value)) as unknown);

export type WorkflowRole = 'case' | 'hazard' | 'obligation' | 'order';

export interface HistoryRun {
  runId: string;
  /** The run this one continued (continue-as-new), or null for the first run of the chain. */
  continuedFrom: string | null;
  /** The history as `temporal workflow show --output json` prints it (proto3 JSON). */
  history: { events: Record<string, unknown>[] };
}

export interface WorkflowHistory {
  workflowId: string;
  role: WorkflowRole;
  /** Oldest run first. */
  runs: HistoryRun[];
  /** complete: every run back to the first; truncated: older runs left out (cap); missing: Temporal has no such workflow (never started, or past the namespace's retention). */
  chain: 'complete' | 'truncated' | 'missing';
}

interface Part {
  included: number;
  total: number;
  cap: number;
}

export interface EvidenceBundle {
  manifest: {
    format: string;
    caseId: string;
    generatedAt: string;
    generatedBy: Pick<Actor, 'keyId' | 'role' | 'scope' | 'name'>;
    temporal: { namespace: string };
    hashing: { algorithm: 'SHA-256'; canonicalization: string; whole: string };
    /** Digest of each part of the bundle. */
    parts: { case: string; causes: string; record: string; mails: string; histories: string };
    /** Digest of each run's history, with its size. */
    runs: { workflowId: string; role: WorkflowRole; runId: string; events: number; sha256: string }[];
    limits: { causes: Part; record: Part & { complete: boolean }; mails: Part; workflows: Part; runsPerWorkflow: number };
    /** Whether nothing was left out: no cap reached, every history chain complete. */
    complete: boolean;
    /** Digest of the whole: the canonical JSON of { case, causes, record, mails, histories }. */
    sha256: string;
  };
  case: Record<string, unknown>;
  causes: Record<string, unknown>[];
  record: RecordEntry[];
  mails: Record<string, unknown>[];
  histories: WorkflowHistory[];
}

const isNotFound = (err: unknown): boolean => err instanceof WorkflowNotFoundError || (isGrpcServiceError(err) && err.code === 5);

type ProtoEvent = { workflowExecutionStartedEventAttributes?: { continuedExecutionRunId?: string | null } | null; [k: string]: unknown };

/** Every run of a workflow ID back along its continue-as-new chain (newest `cap` runs), oldest first. */
async function historyChain(t: TemporalTarget, workflowId: string, role: WorkflowRole): Promise<WorkflowHistory> {
  const runs: HistoryRun[] = [];
  let runId: string | undefined;
  for (;;) {
    let json: { events: ProtoEvent[] };
    try {
      const history = await t.client.workflow.getHandle(workflowId, runId).fetchHistory();
      json = JSON.parse(historyToJSON(history)) as { events: ProtoEvent[] };
    } catch (err) {
      if (!isNotFound(err)) throw new DomainError(ErrorCode.UNAVAILABLE, `Temporal did not give the history of ${workflowId}; retry later`);
      // An older run past retention ends the chain; a workflow without any run is missing.
      if (runs.length === 0) return { workflowId, role, runs: [], chain: 'missing' };
      return { workflowId, role, runs: runs.reverse(), chain: 'truncated' };
    }
    const started = json.events[0]?.workflowExecutionStartedEventAttributes;
    const previous = started?.continuedExecutionRunId || null;
    const thisRun = (started as { originalExecutionRunId?: string } | undefined)?.originalExecutionRunId ?? runId ?? '';
    runs.push({ runId: thisRun, continuedFrom: previous, history: json as HistoryRun['history'] });
    if (!previous) return { workflowId, role, runs: runs.reverse(), chain: 'complete' };
    if (runs.length >= EVIDENCE_LIMITS.runsPerWorkflow) return { workflowId, role, runs: runs.reverse(), chain: 'truncated' };
    runId = previous;
  }
}

/** The whole record of a case, page by page, up to the cap. */
async function fullRecord(db: Db, caseId: string): Promise<{ entries: RecordEntry[]; complete: boolean }> {
  const entries: RecordEntry[] = [];
  let after: RecordCursor | undefined;
  for (;;) {
    const page = await readRecord(db, caseRecord(caseId), { limit: Math.min(1_000, EVIDENCE_LIMITS.recordEntries - entries.length), after });
    entries.push(...page.items);
    if (!page.next) return { entries, complete: true };
    if (entries.length >= EVIDENCE_LIMITS.recordEntries) return { entries, complete: false };
    after = page.next;
  }
}

/** The workflows a case's causes point at: hazards past their escalation step, units' obligations that missed a duty, enforcement orders left unheeded. */
async function linkedWorkflows(db: Db, causes: { kind: string; refId: string }[]): Promise<{ workflowId: string; role: WorkflowRole }[]> {
  const hazards = [...new Set(causes.filter((c) => c.kind === 'HAZARD_ESCALATION').map((c) => c.refId.split(':')[0]!))].sort();
  const obligations = await obligationsOfDutyCauses(
    db,
    causes.filter((c) => c.kind === 'DUTY_MISSED').map((c) => c.refId),
  );
  const orders = [...new Set(causes.filter((c) => c.kind === 'ORDER_IGNORED').map((c) => c.refId))].sort();
  return [
    ...hazards.map((id) => ({ workflowId: hazardWorkflowId(id), role: 'hazard' as const })),
    ...obligations.map((id) => ({ workflowId: id, role: 'obligation' as const })),
    ...orders.map((id) => ({ workflowId: orderWorkflowId(id), role: 'order' as const })),
  ];
}

const plain = <T>(v: T): Record<string, unknown> => JSON.parse(JSON.stringify(v)) as Record<string, unknown>;

/** Assembles the bundle of a case the caller may see (the route checks scope and role). */
export async function caseEvidence(db: Db, t: TemporalTarget, row: CaseRow, actor: Actor): Promise<EvidenceBundle> {
  const [{ causes, total: causeTotal }, record, { mails, total: mailTotal }] = await Promise.all([
    causesOf(db, row.id, EVIDENCE_LIMITS.causes),
    fullRecord(db, row.id),
    mailOfCase(db, row.id, EVIDENCE_LIMITS.mails),
  ]);
  const linked = await linkedWorkflows(db, causes);
  const kept = linked.slice(0, EVIDENCE_LIMITS.linkedWorkflows);
  const histories: WorkflowHistory[] = [];
  // One at a time: a case with many causes must not flood the Temporal frontend.
  for (const w of [{ workflowId: caseWorkflowId(row.id), role: 'case' as const }, ...kept]) histories.push(await historyChain(t, w.workflowId, w.role));

  const body = { case: plain(row), causes: causes.map(plain), record: record.entries, mails: mails.map(plain), histories };
  const limits = {
    causes: { included: causes.length, total: causeTotal, cap: EVIDENCE_LIMITS.causes },
    record: { included: record.entries.length, total: record.entries.length, cap: EVIDENCE_LIMITS.recordEntries, complete: record.complete },
    mails: { included: mails.length, total: mailTotal, cap: EVIDENCE_LIMITS.mails },
    workflows: { included: histories.length, total: linked.length + 1, cap: EVIDENCE_LIMITS.linkedWorkflows + 1 },
    runsPerWorkflow: EVIDENCE_LIMITS.runsPerWorkflow,
  };
  const complete =
    causes.length === causeTotal && record.complete && mails.length === mailTotal && kept.length === linked.length && histories.every((h) => h.chain === 'complete');
  return {
    manifest: {
      format: EVIDENCE_FORMAT,
      caseId: row.id,
      generatedAt: new Date().toISOString(),
      generatedBy: { keyId: actor.keyId, role: actor.role, scope: actor.scope, name: actor.name },
      temporal: { namespace: t.client.options.namespace },
      hashing: {
        algorithm: 'SHA-256',
        canonicalization: 'JSON with the keys of every object sorted (by UTF-16 code units), no whitespace, encoded as UTF-8',
        whole: 'sha256 is the digest of the canonical JSON of the bundle without its manifest: { case, causes, record, mails, histories }',
      },
      parts: {
        case: evidenceDigest(body.case),
        causes: evidenceDigest(body.causes),
        record: evidenceDigest(body.record),
        mails: evidenceDigest(body.mails),
        histories: evidenceDigest(body.histories),
      },
      runs: histories.flatMap((h) => h.runs.map((r) => ({ workflowId: h.workflowId, role: h.role, runId: r.runId, events: r.history.events.length, sha256: evidenceDigest(r.history) }))),
      limits,
      complete,
      sha256: evidenceDigest(body),
    },
    ...body,
  };
}

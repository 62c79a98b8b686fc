// The monthly circular (通报): generating a month's draft from the ledger, and publishing it, which
// freezes it and starts its mailing. Mail is sent the way the codebase sends every fire-and-record
// mail: by activities through the outbox, here in a small workflow (circularMailWorkflow) started
// under a business-key ID once the circular is published: a failed mail is a FAILED outbox row,
// never an unpublished circular.
import { createHash } from 'node:crypto';
import type { CampaignRow } from '../db/campaign-admin.repo';
import { circularFigures, findUnmailedCirculars, getCircular, publishDraft, saveDraft, type CircularRow } from '../db/circulars.repo';
import type { Db } from '../db/client';
import { canonicalJson } from '../domain/canonical-json';
import { circularInstant, monthSpan, renderCircularHtml, renderCircularMarkdown, type CircularFigures } from '../domain/circular';
import { DomainError, ErrorCode, invalidInput } from '../domain/errors';
import type { Actor } from '../domain/hazard';
import { circularMailWorkflowId } from '../workflows/ids';
import { startIdempotently, type TemporalTarget } from './temporal';

/** SHA-256 (hex) of what a circular says: its figures (canonical JSON), its Markdown and its HTML. */
export function circularHash(figures: CircularFigures, markdown: string, html: string): string {
  return createHash('sha256').update(canonicalJson({ figures, markdown, html })).digest('hex');
}

/** The month's content from the ledger as it stood at the month's end (now, for the current month). */
export async function renderCircular(db: Db, c: CampaignRow, month: string, now: number) {
  const span = monthSpan(month, c.template.timeZone);
  if (!span) throw invalidInput([{ field: 'month', reason: `'${month}' is not a month (YYYY-MM)` }]);
  const asOf = circularInstant(span, now);
  if (asOf === null) throw invalidInput([{ field: 'month', reason: `${month} has not begun: a circular is of what the ledger holds` }]);
  const figures = await circularFigures(db, c, month, span, asOf);
  const markdown = renderCircularMarkdown(figures);
  const html = renderCircularHtml(figures);
  return { asOf: new Date(asOf), figures, markdown, html, contentSha256: circularHash(figures, markdown, html) };
}

/** The month's draft: created (true), or the draft there, refreshed when the ledger gives other figures (the current month). */
export async function generateCircular(db: Db, c: CampaignRow, month: string, actor: Actor, now = Date.now()): Promise<{ row: CircularRow; created: boolean }> {
  const existing = await getCircular(db, c.id, month);
  if (existing?.status === 'PUBLISHED') throw publishedConflict(month);
  const saved = await saveDraft(db, { campaignId: c.id, month, generatedBy: actor, ...(await renderCircular(db, c, month, now)) });
  if (!saved) throw publishedConflict(month);
  return saved;
}

const publishedConflict = (month: string) =>
  new DomainError(ErrorCode.CONFLICT, `the circular of ${month} is published: it is frozen`, [{ field: 'params.month', reason: 'already published' }]);

/**
 * Freezes the month's draft as published, then starts its mailing. The publish is committed first:
 * if the mailing cannot be started (Temporal unreachable), the circular stays published and the
 * answer says so (`mailStarted: false`).
 */
export async function publishCircular(db: Db, temporal: TemporalTarget, c: CampaignRow, month: string, actor: Actor): Promise<{ row: CircularRow; mailWorkflowId: string; mailStarted: boolean }> {
  const row = await publishDraft(db, c.id, month, actor);
  if (!row) {
    const existing = await getCircular(db, c.id, month);
    if (existing?.status === 'PUBLISHED') throw publishedConflict(month);
    throw new DomainError(ErrorCode.NOT_FOUND, `no draft circular for ${month}: generate it first`);
  }
  const mailWorkflowId = circularMailWorkflowId(c.id, month);
  try {
    await startCircularMail(temporal, c.id, month);
    return { row, mailWorkflowId, mailStarted: true };
  } catch {
    return { row, mailWorkflowId, mailStarted: false };
  }
}

const startCircularMail = (temporal: TemporalTarget, campaignId: string, month: string) =>
  startIdempotently(temporal, 'circularMailWorkflow', circularMailWorkflowId(campaignId, month), [{ campaignId, month }]);

/**
 * A circular published while Temporal refused its mailing (`mailStarted: false`) is mailed here, by
 * the API's reconciler: published before `olderThanMs` (default 30 s) and no outbox row yet. The
 * start is idempotent (the business-key ID), and so is each mail (the outbox key): a round that
 * races the mailing mails nothing twice. Returns the mailings started; one that fails is picked
 * again next round.
 */
export async function reconcileCirculars(db: Db, temporal: TemporalTarget, opts: { olderThanMs?: number; limit?: number } = {}): Promise<number> {
  const rows = await findUnmailedCirculars(db, new Date(Date.now() - (opts.olderThanMs ?? 30_000)), opts.limit ?? 100);
  for (const r of rows) await startCircularMail(temporal, r.campaignId, r.month);
  return rows.length;
}

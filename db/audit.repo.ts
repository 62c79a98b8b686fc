// The audit log: appended in the same transaction as the change it records; never updated.
import { and, eq } from 'drizzle-orm';
import type { Actor } from '../domain/hazard';
import type { Db } from './client';
import { after, newestFirst, toPage, type Cursor, type Page } from './pagination';
import { auditLog } from './schema';

export type AuditRow = typeof auditLog.$inferSelect;

export interface AuditEntry {
  actor: Actor;
  action: string;
  subjectKind: 'api_key' | 'unit' | 'enterprise' | 'roster' | 'case' | 'hazard' | 'user' | 'calendar';
  subjectId?: string | null;
  data?: Record<string, unknown>;
}

export async function recordAudit(db: Db, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.insert(auditLog).values(entries.map((e) => ({ actor: e.actor, action: e.action, subjectKind: e.subjectKind, subjectId: e.subjectId ?? null, data: e.data ?? {} })));
}

export async function listAudit(db: Db, f: { subjectKind?: string; subjectId?: string; action?: string }, page: { limit: number; after?: Cursor }): Promise<Page<AuditRow>> {
  const rows = await db
    .select()
    .from(auditLog)
    .where(
      and(
        f.subjectKind ? eq(auditLog.subjectKind, f.subjectKind) : undefined,
        f.subjectId ? eq(auditLog.subjectId, f.subjectId) : undefined,
        f.action ? eq(auditLog.action, f.action) : undefined,
        after(auditLog.createdAt, auditLog.id, page.after),
      ),
    )
    .orderBy(...newestFirst(auditLog.createdAt, auditLog.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

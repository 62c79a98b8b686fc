// Mail about campaign duties: one holder's notice (a reminder, a missed duty, or the assignment of a
// run started before v8), or the DUTIES_ASSIGNED notices of a whole fan-out page at once (v8), read
// with a handful of queries for the page instead of four per holder. Each mail goes through its
// outbox row (unique on `duty:<obligation>:<event>`), so a retried page mails nobody twice.
import { ApplicationFailure } from '@temporalio/activity';
import { asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { abandonOutbox } from '../db/outbox.repo';
import { campaigns, duties, enterprises, units } from '../db/schema';
import type { Duty } from '../domain/campaign';
import { dutyNoticeKey, SideEffectErrorType } from '../domain/delivery';
import { ErrorCode } from '../domain/errors';
import { selfInspectionChecklist } from '../domain/self-inspection';
import { renderDutyNotification, type DutyNotificationKind } from './duty-templates';
import { limited } from './limited';
import { deliver, uniqueEmails, type OutboxDeps, type OutgoingRow } from './outbox';

export interface DutyNoticeRequest {
  campaignId: string;
  obligationId: string;
  holderCode: string;
  duty: Duty;
  kind: DutyNotificationKind;
  eventKey: string;
}

/** Mails of a page in flight at once: the SMTP server sees a few connections, not two hundred. */
export const NOTICE_CONCURRENCY = 8;

const subjectOf = (r: DutyNoticeRequest): string | null => (r.duty.kind === 'SELF_INSPECTION' ? r.duty.key.slice('self-inspection:'.length) : null);

export function createDutyNotices(deps: OutboxDeps & { db: Db }) {
  const { db } = deps;

  /** What the notices of one campaign need, read once: the campaign, the holders, the subjects, each obligation's duties. */
  async function context(campaignId: string, requests: DutyNoticeRequest[]) {
    const [c] = await db.select().from(campaigns).where(eq(campaigns.id, campaignId));
    if (!c) throw ApplicationFailure.create({ type: ErrorCode.NOT_FOUND, message: `campaign ${campaignId} not on the ledger`, nonRetryable: true });
    const holderCodes = [...new Set(requests.map((r) => r.holderCode))];
    const subjectIds = [...new Set(requests.flatMap((r) => subjectOf(r) ?? []))];
    const obligationIds = [...new Set(requests.map((r) => r.obligationId))];
    const [unitRows, enterpriseRows, dutyRows] = await Promise.all([
      db.select().from(units).where(inArray(units.code, holderCodes)),
      subjectIds.length === 0 ? [] : db.select().from(enterprises).where(inArray(enterprises.id, subjectIds)),
      db.select().from(duties).where(inArray(duties.obligationId, obligationIds)).orderBy(asc(duties.dueAt)),
    ]);
    const dutiesOf = new Map<string, typeof dutyRows>();
    for (const d of dutyRows) {
      const list = dutiesOf.get(d.obligationId);
      if (list) list.push(d);
      else dutiesOf.set(d.obligationId, [d]);
    }
    return { c, units: new Map(unitRows.map((u) => [u.code, u])), enterprises: new Map(enterpriseRows.map((e) => [e.id, e])), dutiesOf };
  }

  function notice(ctx: Awaited<ReturnType<typeof context>>, input: DutyNoticeRequest): OutgoingRow {
    const { c } = ctx;
    const unit = ctx.units.get(input.holderCode);
    // A self-inspection duty is the enterprise's: it is told; its department only learns of a missed one.
    const subjectId = subjectOf(input);
    const enterprise = subjectId ? ctx.enterprises.get(subjectId) : undefined;
    // A page whose ledger write was refused has its duties written by each workflow, maybe after this mail.
    const all = ctx.dutiesOf.get(input.obligationId) ?? [{ label: input.duty.label, dueAt: new Date(input.duty.dueAt), state: 'PENDING' }];
    const { subject, text } = renderDutyNotification(input.kind, {
      campaignName: c.name,
      unitName: enterprise?.name ?? unit?.name ?? input.holderCode,
      duty: input.duty,
      duties: all.map((d) => ({ label: d.label, dueAt: d.dueAt.getTime(), state: d.state })),
      timeZone: c.template.timeZone,
      checklist: enterprise && input.kind === 'DUTIES_ASSIGNED' ? selfInspectionChecklist(c.template.workLines, enterprise.industry) : undefined,
    });
    return {
      businessKey: dutyNoticeKey(input),
      hazardId: null,
      campaignId: c.id,
      kind: input.kind,
      deadlineVersion: null,
      recipients: subjectId
        ? uniqueEmails([enterprise?.principalEmail], input.kind === 'DUTY_MISSED' ? [unit?.email] : [])
        : uniqueEmails([unit?.email], input.kind === 'DUTY_MISSED' ? deps.mail.officeEmails : []),
      subject,
      bodyText: text,
      locale: 'zh-CN',
      headers: { 'X-Campaign-Id': c.id, 'X-Obligation-Id': input.obligationId, 'X-Duty-Key': input.duty.key },
    };
  }

  async function sendDutyNotification(input: DutyNoticeRequest): Promise<void> {
    await deliver(deps, notice(await context(input.campaignId, [input]), input));
  }

  /**
   * Every notice of a page, each through its outbox row: one already sent is not sent again, a
   * refused mailbox ends its row FAILED (the office sees it) and the others go on. What may heal is
   * retried by the activity's mail budget once the whole page was tried; on its last attempt a
   * temporary refusal is final too (outbox.ts).
   */
  async function sendDutyNotices(requests: DutyNoticeRequest[]): Promise<{ notices: number }> {
    if (requests.length === 0) return { notices: 0 };
    const ctx = await context(requests[0]!.campaignId, requests);
    let temporary = 0;
    const errors: unknown[] = [];
    await limited(requests, NOTICE_CONCURRENCY, (r) =>
      deliver(deps, notice(ctx, r)).catch((err: unknown) => {
        if (err instanceof ApplicationFailure && err.type === SideEffectErrorType.MAIL_TEMPORARY) temporary += 1;
        else errors.push(err);
      }),
    );
    if (errors.length > 0) throw errors[0];
    if (temporary > 0) throw ApplicationFailure.retryable(`${temporary} of ${requests.length} duty notices not yet delivered`, SideEffectErrorType.MAIL_TEMPORARY);
    return { notices: requests.length };
  }

  /** The notices of a page whose activity gave up without recording an outcome: FAILED, visibly (sent ones stay sent). */
  async function abandonDutyNotices(requests: Pick<DutyNoticeRequest, 'obligationId' | 'eventKey'>[], reason: string): Promise<void> {
    await abandonOutbox(db, requests.map(dutyNoticeKey), reason);
  }

  return { sendDutyNotification, sendDutyNotices, abandonDutyNotices };
}

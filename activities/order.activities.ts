// Side effects of the enforcement order workflow: its ledger writes (the enterprise's flag with
// them), the case an ignored order opens, and its mail. Each is idempotent.
import { eq } from 'drizzle-orm';
import { applyOrderEntries, getOrder, type OrderLedgerEntry } from '../db/orders.repo';
import { enterprises, units } from '../db/schema';
import { SYSTEM_ACTOR } from '../domain/hazard';
import { orderNoticeKey } from '../domain/delivery';
import { enterpriseSubject, openOrJoinCase, resolveCaseCauses } from '../services/case.service';
import type { TemporalTarget } from '../services/temporal';
import { consoleLink } from '../domain/console-links';
import { ledgerWrite } from './ledger-errors';
import { renderOrderNotification, type OrderNotificationKind } from './order-templates';
import { deliver, uniqueEmails, type DeliveryResult, type OutboxDeps } from './outbox';

export type { OrderLedgerEntry } from '../db/orders.repo';
export type { OrderNotificationKind } from './order-templates';

export interface OrderNotificationRequest {
  orderId: string;
  kind: OrderNotificationKind;
  /** One mail per order and event: `issued`, `reminder:P3D`, `overdue`, `ignored`, `rejected:<seq>`, `lifted`, `body:<i>`. */
  eventKey: string;
  /** ORDER_BODY_NOTICE: the body's position in the order's notifiedBodies. */
  bodyIndex?: number;
  caseId?: string | null;
  decisionReason?: string | null;
}

export function createOrderActivities(deps: OutboxDeps & { temporal: TemporalTarget }) {
  const { db, mail } = deps;

  async function orderWithParties(orderId: string) {
    const order = await getOrder(db, orderId);
    if (!order) throw new Error(`order ${orderId} not on the ledger`);
    const [row] = await db.select({ enterprise: enterprises, department: units }).from(enterprises).leftJoin(units, eq(units.code, order.departmentCode)).where(eq(enterprises.id, order.enterpriseId));
    return { order, enterprise: row!.enterprise, department: row!.department };
  }

  /** An order complied with after it was ignored: the case it opened records that (and stays for its reviewer). */
  async function recordOrderEvents(entries: OrderLedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await ledgerWrite(`order ${entries[0]!.orderId} events ${entries[0]!.seq}..${entries.at(-1)!.seq}`, () => applyOrderEntries(db, entries));
    for (const e of entries) {
      if (e.type === 'COMPLIANCE_ACCEPTED') await resolveCaseCauses(db, deps.temporal, { kind: 'ORDER_IGNORED', refPrefix: e.orderId, note: 'order complied with (整改完成)' }, e.actor);
    }
  }

  /**
   * An order left unheeded past its escalation step (拒不执行整改指令, plan item 24): a case against
   * the enterprise and its principal, opened or joined (one open case per enterprise and cause kind).
   */
  async function openOrderCase(input: { orderId: string; reason: string }): Promise<{ caseId: string; joined: boolean }> {
    const { order, enterprise } = await orderWithParties(input.orderId);
    return openOrJoinCase(db, deps.temporal, {
      subject: enterpriseSubject(enterprise),
      cause: { kind: 'ORDER_IGNORED', refId: order.id, note: input.reason },
      campaignId: null,
      openedBy: SYSTEM_ACTOR,
      timeZone: order.timeZone,
    });
  }

  async function sendOrderNotification(req: OrderNotificationRequest): Promise<DeliveryResult> {
    const { order, enterprise, department } = await orderWithParties(req.orderId);
    const body = req.bodyIndex === undefined ? undefined : order.notifiedBodies[req.bodyIndex];
    const principal = [enterprise.principalEmail];
    const recipients: Record<OrderNotificationKind, string[]> = {
      ORDER_ISSUED: uniqueEmails(principal),
      ORDER_REMINDER: uniqueEmails(principal),
      ORDER_OVERDUE: uniqueEmails(principal, [department?.email]),
      ORDER_IGNORED: uniqueEmails(mail.officeEmails, [department?.email]),
      ORDER_COMPLIANCE_REJECTED: uniqueEmails(principal),
      ORDER_LIFTED: uniqueEmails(principal),
      ORDER_BODY_NOTICE: uniqueEmails([body?.email]),
    };
    const { subject, text } = renderOrderNotification(req.kind, {
      kind: order.kind,
      enterpriseName: enterprise.name,
      principalName: enterprise.principalName,
      legalBasis: order.legalBasis,
      reason: order.reason,
      timeZone: order.timeZone,
      deadline: order.deadline?.toISOString() ?? null,
      conditions: order.conditions,
      closedOn: order.closedOn,
      doublePenalty: order.doublePenalty ?? null,
      bodies: order.notifiedBodies.map((b) => b.name),
      ...(body ? { bodyName: body.name } : {}),
      caseId: req.caseId ?? null,
      decisionReason: req.decisionReason ?? null,
      link: consoleLink(mail.publicUrl, 'orders', order.id),
    });
    return deliver(deps, {
      businessKey: orderNoticeKey(req),
      hazardId: null,
      campaignId: null,
      kind: req.kind,
      deadlineVersion: null,
      recipients: recipients[req.kind],
      subject,
      bodyText: text,
      locale: 'zh-CN',
      headers: { 'X-Order-Id': order.id, 'X-Order-Kind': order.kind },
    });
  }

  return { recordOrderEvents, openOrderCase, sendOrderNotification };
}

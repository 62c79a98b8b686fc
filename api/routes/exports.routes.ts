// Exports as .xlsx, streamed (api/xlsx.ts): rows are read from the ledger a page at a time and
// written by exceljs's streaming writer straight into the response, so a million rows never sit in
// memory. The hazard ledger and the overdue list; the units' duties of a campaign.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { inArray } from 'drizzle-orm';
import { Type } from 'typebox';
import type { Db } from '../../db/client';
import { listHazards, type HazardFilters, type HazardRow } from '../../db/hazards.repo';
import type { Cursor } from '../../db/pagination';
import { enterprises } from '../../db/schema';
import { unitDutyPages, type UnitDutyRow } from '../../db/unit-duties.repo';
import type { Actor } from '../../domain/hazard';
import { campaignReadableBy } from '../../services/campaign-access';
import { writeSheet, type Columns } from '../../services/xlsx-writer';
import { requireRole } from '../plugins/auth';
import { errorResponses, IdParams } from '../schemas/common';
import { HazardListQuery } from '../schemas/hazards';
import { sendWorkbook, xlsxResponse } from '../xlsx';

const PAGE = 500;

/** The ledger's columns (台账). */
export const HAZARD_COLUMNS: Columns<{ h: HazardRow; enterpriseName: string }> = [
  { header: '隐患编号', cell: ({ h }) => h.id },
  { header: '企业名称', cell: ({ enterpriseName }) => enterpriseName },
  { header: '企业ID', cell: ({ h }) => h.enterpriseId },
  { header: '县区', cell: ({ h }) => h.countyCode },
  { header: '监管部门', cell: ({ h }) => h.departmentCode },
  { header: '行业', cell: ({ h }) => h.industry },
  { header: '等级', cell: ({ h }) => h.grade },
  { header: '来源', cell: ({ h }) => h.source },
  { header: '状态', cell: ({ h }) => h.state },
  { header: '逾期', cell: ({ h }) => h.overdue },
  { header: '已提请问责', cell: ({ h }) => h.escalated },
  { header: '隐患描述', cell: ({ h }) => h.description },
  { header: '部位', cell: ({ h }) => h.location },
  { header: '整改措施', cell: ({ h }) => h.measures },
  { header: '整改资金（元）', cell: ({ h }) => Number(h.fundsAmount) },
  { header: '整改责任人', cell: ({ h }) => h.responsibleName },
  { header: '整改期限', cell: ({ h }) => h.deadline.toISOString() },
  { header: '登记时间', cell: ({ h }) => h.createdAt.toISOString() },
  { header: '销号时间', cell: ({ h }) => h.closedAt?.toISOString() ?? null },
];

/** The units' duties (任务): each unit's reporting duties in the campaign, as GET /v1/campaigns/{id} lists them. */
export const DUTY_COLUMNS: Columns<UnitDutyRow> = [
  { header: '单位代码', cell: (d) => d.holderCode },
  { header: '单位名称', cell: (d) => d.unitName },
  { header: '单位类型', cell: (d) => d.unitKind },
  { header: '任务编号', cell: (d) => d.dutyKey },
  { header: '任务类型', cell: (d) => d.kind },
  { header: '任务名称', cell: (d) => d.label },
  { header: '截止时间', cell: (d) => d.dueAt.toISOString() },
  { header: '状态', cell: (d) => d.state },
  { header: '逾期报送', cell: (d) => d.late },
  { header: '报送时间', cell: (d) => d.submittedAt?.toISOString() ?? null },
  { header: '认定未报时间', cell: (d) => d.missedAt?.toISOString() ?? null },
];

const HazardExportQuery = Type.Omit(HazardListQuery, ['limit', 'cursor']);

/** Every page of the ledger the actor sees under the filters, newest first as the list, with each enterprise's name. */
async function* hazardPages(db: Db, actor: Actor, filters: HazardFilters): AsyncGenerator<{ h: HazardRow; enterpriseName: string }[]> {
  let after: Cursor | undefined;
  for (;;) {
    const page = await listHazards(db, actor, filters, { limit: PAGE, after });
    if (page.items.length > 0) {
      const ids = [...new Set(page.items.map((h) => h.enterpriseId))];
      const names = new Map((await db.select({ id: enterprises.id, name: enterprises.name }).from(enterprises).where(inArray(enterprises.id, ids))).map((e) => [e.id, e.name]));
      yield page.items.map((h) => ({ h, enterpriseName: names.get(h.enterpriseId) ?? '' }));
    }
    if (!page.next) return;
    after = page.next;
  }
}

export const exportRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/hazards/export.xlsx',
    {
      schema: {
        tags: ['hazards'],
        summary:
          'The hazard ledger (台账) as .xlsx, streamed: the rows GET /v1/hazards lists to the caller under the same filters, newest first, every page. With overdue=true it is the overdue list (逾期清单)',
        querystring: HazardExportQuery,
        response: { 200: xlsxResponse('the ledger'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const filters: HazardFilters = { state: q.status, grade: q.grade, overdue: q.overdue, enterpriseId: q.enterpriseId, countyCode: q.county, industry: q.industry, departmentCode: q.department, campaignId: q.campaignId, workItem: q.workItem };
      const actor = request.actor;
      const [file, sheet] = q.overdue ? ['overdue-hazards.xlsx', '逾期清单'] : ['hazards.xlsx', '隐患台账'];
      return sendWorkbook(request, reply, file, (wb) => writeSheet(wb, sheet, HAZARD_COLUMNS, hazardPages(db, actor, filters)));
    },
  );

  app.get(
    '/campaigns/:id/duties/export.xlsx',
    {
      schema: {
        tags: ['campaigns'],
        summary:
          "The units' duties (单位任务) of a campaign as .xlsx, streamed: every county's and department's reporting duty with its due instant, state, whether filed late, when filed and when found missed; the duties GET /v1/campaigns/{id} lists under duties.units, to the same keys (the office and admin; a county or department taking part)",
        params: IdParams,
        response: { 200: xlsxResponse("the units' duties"), ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, 'admin', 'office', 'department', 'county');
      const c = await campaignReadableBy(db, actor, request.params.id);
      return sendWorkbook(request, reply, 'duties.xlsx', (wb) => writeSheet(wb, '单位任务', DUTY_COLUMNS, unitDutyPages(db, c.id)), '单位任务.xlsx');
    },
  );
};

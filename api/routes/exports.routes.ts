// Exports as .xlsx, streamed: rows are read from the ledger a page at a time and written by
// exceljs's streaming writer straight into the response, so a million rows never sit in memory.
import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { inArray } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { Type } from 'typebox';
import type { Db } from '../../db/client';
import { listHazards, type HazardFilters, type HazardRow } from '../../db/hazards.repo';
import type { Cursor } from '../../db/pagination';
import { enterprises } from '../../db/schema';
import type { Actor } from '../../domain/hazard';
import { errorResponses } from '../schemas/common';
import { HazardListQuery } from '../schemas/hazards';
import { XLSX_TYPE } from './roster-xlsx.routes';

const PAGE = 500;

/** The ledger's columns (台账): header, and the cell of a row. */
export const HAZARD_COLUMNS: { header: string; cell: (h: HazardRow, enterpriseName: string) => string | number | boolean | null }[] = [
  { header: '隐患编号', cell: (h) => h.id },
  { header: '企业名称', cell: (_h, name) => name },
  { header: '企业ID', cell: (h) => h.enterpriseId },
  { header: '县区', cell: (h) => h.countyCode },
  { header: '监管部门', cell: (h) => h.departmentCode },
  { header: '行业', cell: (h) => h.industry },
  { header: '等级', cell: (h) => h.grade },
  { header: '来源', cell: (h) => h.source },
  { header: '状态', cell: (h) => h.state },
  { header: '逾期', cell: (h) => h.overdue },
  { header: '已提请问责', cell: (h) => h.escalated },
  { header: '隐患描述', cell: (h) => h.description },
  { header: '部位', cell: (h) => h.location },
  { header: '整改措施', cell: (h) => h.measures },
  { header: '整改资金（元）', cell: (h) => Number(h.fundsAmount) },
  { header: '整改责任人', cell: (h) => h.responsibleName },
  { header: '整改期限', cell: (h) => h.deadline.toISOString() },
  { header: '登记时间', cell: (h) => h.createdAt.toISOString() },
  { header: '销号时间', cell: (h) => h.closedAt?.toISOString() ?? null },
];

const HazardExportQuery = Type.Omit(HazardListQuery, ['limit', 'cursor']);

/** Every page of the ledger the actor sees under the filters, newest first as the list. */
async function* hazardPages(db: Db, actor: Actor, filters: HazardFilters): AsyncGenerator<HazardRow[]> {
  let after: Cursor | undefined;
  for (;;) {
    const page = await listHazards(db, actor, filters, { limit: PAGE, after });
    if (page.items.length > 0) yield page.items;
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
        response: { 200: { description: 'the ledger', content: { [XLSX_TYPE]: { schema: Type.String({ format: 'binary' }) } } }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const filters: HazardFilters = { state: q.status, grade: q.grade, overdue: q.overdue, enterpriseId: q.enterpriseId, countyCode: q.county, industry: q.industry, departmentCode: q.department, campaignId: q.campaignId, workItem: q.workItem };
      const actor = request.actor;
      const out = new PassThrough();
      const write = async () => {
        const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
        const sheet = wb.addWorksheet('隐患台账');
        sheet.addRow(HAZARD_COLUMNS.map((c) => c.header)).commit();
        for await (const rows of hazardPages(db, actor, filters)) {
          const ids = [...new Set(rows.map((h) => h.enterpriseId))];
          const names = new Map((await db.select({ id: enterprises.id, name: enterprises.name }).from(enterprises).where(inArray(enterprises.id, ids))).map((e) => [e.id, e.name]));
          for (const h of rows) sheet.addRow(HAZARD_COLUMNS.map((c) => c.cell(h, names.get(h.enterpriseId) ?? ''))).commit();
        }
        await sheet.commit();
        await wb.commit();
      };
      // A failure half-way cuts the download (the status is sent): logged, never a hung response.
      write().catch((err: unknown) => {
        request.log.error({ err }, 'hazard export failed');
        out.destroy(err as Error);
      });
      return reply.type(XLSX_TYPE).header('content-disposition', 'attachment; filename="hazards.xlsx"').send(out);
    },
  );
};

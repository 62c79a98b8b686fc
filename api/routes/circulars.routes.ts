// The monthly circular (通报): the office generates a month's draft from the ledger as it stood at
// the month's end (services/circular.service.ts), reviews it and publishes it, which freezes it
// and mails it to every unit taking part. The office, admin and reviewers read drafts and
// published ones; the counties and departments taking part read the published ones only.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { CampaignRow } from '../../db/campaign-admin.repo';
import { getCampaign } from '../../db/campaign-admin.repo';
import { getCircular, listCirculars, type CircularRow } from '../../db/circulars.repo';
import type { Db } from '../../db/client';
import { DomainError, ErrorCode } from '../../domain/errors';
import type { Actor } from '../../domain/hazard';
import { campaignReadableBy } from '../../services/campaign-access';
import { generateCircular, publishCircular } from '../../services/circular.service';
import { circularSheets } from '../../services/circular-xlsx';
import { writeRows, type WorkbookWriter } from '../../services/xlsx-writer';
import type { TemporalTarget } from '../../services/temporal';
import { requireRole } from '../plugins/auth';
import { Circular, CircularList, CircularParams, CircularsParams, GenerateCircularBody, PublishedCircular } from '../schemas/circulars';
import { errorResponses } from '../schemas/common';
import { sendWorkbook, xlsxResponse } from '../xlsx';

const summaryOf = (r: CircularRow) => ({
  campaignId: r.campaignId,
  month: r.month,
  status: r.status,
  asOf: r.asOf.toISOString(),
  contentSha256: r.contentSha256,
  generatedAt: r.generatedAt.toISOString(),
  publishedAt: r.publishedAt?.toISOString() ?? null,
  publishedBy: r.publishedBy ?? null,
});
const viewOf = (r: CircularRow) => ({ ...summaryOf(r), figures: r.figures, markdown: r.markdown, html: r.html });

export const circularRoutes: FastifyPluginAsyncTypebox<{ db: Db; temporal: TemporalTarget }> = async (app, { db, temporal }) => {
  const notFound = () => new DomainError(ErrorCode.NOT_FOUND, 'campaign not found');

  /** The campaign as the reader may see it, and whether it reads drafts (the office, admin, reviewers). */
  async function readable(actor: Actor, campaignId: string): Promise<{ c: CampaignRow; drafts: boolean }> {
    // Outside the key's units (a county, a department, a scoped reviewer not taking part) the campaign does not exist.
    const c = await campaignReadableBy(db, actor, campaignId);
    return { c, drafts: actor.role === 'admin' || actor.role === 'office' || actor.role === 'reviewer' };
  }

  /** The month's circular as the reader may read it: a draft does not exist for a county or department. */
  async function readableCircular(actor: Actor, campaignId: string, month: string): Promise<CircularRow> {
    const { c, drafts } = await readable(actor, campaignId);
    const row = await getCircular(db, c.id, month);
    if (!row || (!drafts && row.status !== 'PUBLISHED')) throw new DomainError(ErrorCode.NOT_FOUND, `no circular for ${month}`);
    return row;
  }

  async function officeCampaign(campaignId: string): Promise<CampaignRow> {
    const c = await getCampaign(db, campaignId);
    if (!c) throw notFound();
    return c;
  }

  app.post(
    '/campaigns/:id/circulars',
    {
      schema: {
        tags: ['campaigns'],
        summary:
          "Generates the month's circular (通报) as a DRAFT, from the ledger as it stood at the month's end (now, while the month runs): rankings, the month's hazards, units with missed duties, enterprises with overdue major hazards, supervision findings and concealment cases, coverage; zh-CN Markdown and HTML with the SHA-256 of its content. 201 when created; 200 with the draft there when it exists (a past month comes out the same; the current month's is refreshed to now); 409 once published; 422 for a month not begun",
        params: CircularsParams,
        body: GenerateCircularBody,
        response: { 200: Circular, 201: Circular, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, 'admin', 'office');
      const c = await officeCampaign(request.params.id);
      const { row, created } = await generateCircular(db, c, request.body.month, actor);
      return reply.code(created ? 201 : 200).send(viewOf(row));
    },
  );

  app.get(
    '/campaigns/:id/circulars',
    {
      schema: {
        tags: ['campaigns'],
        summary: "The campaign's circulars by month. The office, admin and reviewers see drafts and published ones; the counties and departments taking part the published ones",
        params: CircularsParams,
        response: { 200: CircularList, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireRole(request, 'admin', 'office', 'reviewer', 'county', 'department');
      const { c, drafts } = await readable(actor, request.params.id);
      return { items: (await listCirculars(db, c.id, drafts ? undefined : 'PUBLISHED')).map(summaryOf) };
    },
  );

  app.get(
    '/campaigns/:id/circulars/:month',
    {
      schema: {
        tags: ['campaigns'],
        summary: "One month's circular with its figures, Markdown and HTML. A draft is for the office, admin and reviewers: to a county or department it does not exist (404) until published",
        params: CircularParams,
        response: { 200: Circular, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireRole(request, 'admin', 'office', 'reviewer', 'county', 'department');
      return viewOf(await readableCircular(actor, request.params.id, request.params.month));
    },
  );

  app.get(
    '/campaigns/:id/circulars/:month/export.xlsx',
    {
      schema: {
        tags: ['campaigns'],
        summary:
          "One month's circular as .xlsx, streamed: its frozen figures in sheets (通报信息, 打分排队, 隐患情况, 未按时报送, 重大隐患逾期企业, 督导发现, 企业自查, 检查覆盖), the same rows as the figures of GET …/circulars/{month}; read as that route is (a draft only by the office, admin and reviewers)",
        params: CircularParams,
        response: { 200: xlsxResponse('the circular'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, 'admin', 'office', 'reviewer', 'county', 'department');
      const row = await readableCircular(actor, request.params.id, request.params.month);
      const sheets = circularSheets(row);
      const write = async (wb: WorkbookWriter) => {
        for (const s of sheets) await writeRows(wb, s.name, s.header, [s.rows]);
      };
      return sendWorkbook(request, reply, `circular-${row.month}.xlsx`, write, `通报-${row.month}.xlsx`);
    },
  );

  app.post(
    '/campaigns/:id/circulars/:month/publish',
    {
      schema: {
        tags: ['campaigns'],
        summary:
          "Publishes the month's draft as it stands: frozen on the ledger (content, figures, hash, who published and when; never changed afterwards) and mailed to every unit taking part through the outbox (one mail per unit, business key circular:<campaign>:<month>:<unit>, so a retry never mails twice). Mail does not gate the publish: a refused mail is a FAILED outbox row. 409 when already published, 404 without a draft",
        params: CircularParams,
        response: { 200: PublishedCircular, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireRole(request, 'admin', 'office');
      const c = await officeCampaign(request.params.id);
      const { row, mailWorkflowId, mailStarted } = await publishCircular(db, temporal, c, request.params.month, actor);
      return { circular: viewOf(row), mail: { workflowId: mailWorkflowId, started: mailStarted } };
    },
  );
};

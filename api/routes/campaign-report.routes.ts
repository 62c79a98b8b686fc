// The work items as tasks and the report upward: a unit's monthly progress report prefilled from
// the ledger (GET .../duties/:unitCode/:dutyKey/prefill), and the consolidated campaign report
// frozen with the summary (GET .../report, JSON or zh-CN Markdown).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/client';
import { getCampaign, getSnapshot, participantsOf } from '../../db/campaign-admin.repo';
import { unitsByCode } from '../../db/reference.repo';
import { dutyWindow, hazardWindowFigures, inspectionsBy, leadingUnit, selfInspectionCoverageBy } from '../../db/work-items.repo';
import { campaignReport, reportMarkdown, type FrozenFigures } from '../../domain/campaign-report';
import { DomainError, ErrorCode, invalidInput } from '../../domain/errors';
import { campaignReadableBy } from '../../services/campaign-access';
import { monthSpan } from '../../domain/circular';
import { itemsLedBy } from '../../domain/work-items';
import { requireRole } from '../plugins/auth';
import { errorResponses, IdParams } from '../schemas/common';
import { CampaignReport, PrefillParams, ProgressPrefill } from '../schemas/campaigns';
import { obligationWorkflowId } from '../../workflows/ids';

const MONTH_KEY_RE = /^progress:(\d{4})-(0[1-9]|1[0-2])$/;

/** The Accept header's weight of a media type (q, 1 when absent; -1 when not listed) and its position. */
function weightOf(accept: string, type: string): { q: number; at: number } {
  const parts = accept.split(',').map((p) => p.split(';').map((x) => x.trim()));
  const at = parts.findIndex(([t]) => t === type);
  if (at < 0) return { q: -1, at };
  const q = parts[at]!.find((x) => x.startsWith('q='));
  return { q: q ? Number(q.slice(2)) : 1, at };
}

/** Markdown when the Accept header weighs text/markdown above JSON (or equal and listed first). */
function prefersMarkdown(accept: string | undefined): boolean {
  const md = weightOf(accept ?? '', 'text/markdown');
  const json = weightOf(accept ?? '', 'application/json');
  return md.q > 0 && (md.q > json.q || (md.q === json.q && md.at < json.at));
}

export const campaignReportRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/campaigns/:id/duties/:unitCode/:dutyKey/prefill',
    {
      schema: {
        tags: ['campaigns'],
        summary:
          "A progress report prefilled from the ledger: the unit's hazards found, rectified and fallen overdue in the report's window (its month for progress:YYYY-MM), a county's self-inspection coverage, a department's inspections, and the work items it leads with their industries' hazard figures",
        params: PrefillParams,
        response: { 200: ProgressPrefill, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireRole(request, 'admin', 'office', 'county', 'department');
      const { id, unitCode, dutyKey } = request.params;
      if ((actor.role === 'county' || actor.role === 'department') && unitCode !== actor.scope) throw new DomainError(ErrorCode.NOT_FOUND, 'no such duty in this campaign');
      const c = await getCampaign(db, id);
      const unit = c ? await leadingUnit(db, c.id, unitCode) : null;
      if (!c || !unit) throw new DomainError(ErrorCode.NOT_FOUND, 'no such duty in this campaign');
      let from: number;
      let to: number;
      const m = MONTH_KEY_RE.exec(dutyKey);
      if (m) {
        const span = monthSpan(`${m[1]}-${m[2]}`, c.template.timeZone);
        if (!span) throw invalidInput([{ field: 'params.dutyKey', reason: `'${dutyKey}' names no month the calendar can read` }]);
        from = span.from;
        to = span.to - 1;
      } else if (dutyKey.startsWith('progress:')) {
        const d = await dutyWindow(db, obligationWorkflowId(c.id, unitCode), dutyKey);
        if (!d) throw new DomainError(ErrorCode.NOT_FOUND, 'no such duty in this campaign');
        from = d.opensAt.getTime();
        to = d.dueAt.getTime();
      } else throw invalidInput([{ field: 'params.dutyKey', reason: `'${dutyKey}' is not a progress report: progress:YYYY-MM or progress:N` }]);
      const window = { campaignId: c.id, unit, from: new Date(from), to: new Date(to) };
      const hazards = await hazardWindowFigures(db, window);
      const extra = unit.kind === 'COUNTY' ? await selfInspectionCoverageBy(db, c.id, unitCode, window.to) : await inspectionsBy(db, c.id, unitCode, window.from, window.to);
      const items = await Promise.all(
        itemsLedBy(c.template, unit).map(async ({ item, industries }) => ({
          no: item.no,
          textZh: item.textZh,
          industries,
          figures: industries ? await hazardWindowFigures(db, { ...window, industries }) : null,
          linked: await hazardWindowFigures(db, { ...window, workItem: item.no }),
        })),
      );
      return { campaignId: c.id, unitCode, dutyKey, from: window.from.toISOString(), to: window.to.toISOString(), ledger: { ...hazards, ...extra }, items };
    },
  );

  app.get(
    '/campaigns/:id/report',
    {
      schema: {
        tags: ['campaigns'],
        summary:
          "The report upward (总结报告 to 市委、市政府 and 省安委办), frozen when the summary phase closed: figures by county, department and industry, rectification, coverage, the ranking at that instant, cases and enforcement orders. JSON, or zh-CN Markdown with Accept: text/markdown or ?format=md. The office, admin, reviewers and the units taking part read it; 404 before the summary phase closes",
        params: IdParams,
        querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('md')])) }, { additionalProperties: false }),
        response: {
          200: {
            description: 'The report: JSON, or its zh-CN Markdown',
            content: { 'application/json': { schema: CampaignReport }, 'text/markdown': { schema: Type.String({ description: 'the same report as zh-CN Markdown' }) } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, 'admin', 'office', 'reviewer', 'county', 'department');
      const c = await campaignReadableBy(db, actor, request.params.id);
      const snap = await getSnapshot(db, c.id);
      if (!snap) throw new DomainError(ErrorCode.NOT_FOUND, 'no report yet: it is frozen when the summary phase closes');
      const figures = snap.figures as unknown as FrozenFigures;
      const codes = [...new Set([...Object.keys(figures.hazards.byCounty), ...Object.keys(figures.hazards.byDepartment), ...(await participantsOf(db, c.id)).map((p) => p.unitCode)])];
      const names = Object.fromEntries((await unitsByCode(db, codes)).map((u) => [u.code, u.name]));
      const report = campaignReport({ id: c.id, name: c.template.name, documentNumber: c.template.documentNumber, issuingBody: c.template.issuingBody }, snap.takenAt.toISOString(), figures, names);
      const wantsMd = request.query.format === 'md' || (request.query.format === undefined && prefersMarkdown(request.headers.accept));
      if (wantsMd) return reply.type('text/markdown; charset=utf-8').serializer((p: unknown) => String(p)).send(reportMarkdown(report));
      return report;
    },
  );
};

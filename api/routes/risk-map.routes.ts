// The four-colour risk map (四色图) of a campaign, now: each enterprise's level by the template's
// rule (domain/risk-map.ts) over its figures on the ledger (db/risk-map.repo.ts). The office and
// admin see the whole roster; a county or department taking part sees its own enterprises.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/client';
import type { CampaignRow } from '../../db/campaign-admin.repo';
import { riskRoster } from '../../db/risk-map.repo';
import { invalidInput } from '../../domain/errors';
import { campaignReadableBy } from '../../services/campaign-access';
import type { Actor } from '../../domain/hazard';
import { assessRisk, defaultRiskMapRule, riskCells } from '../../domain/risk-map';
import { requireRole } from '../plugins/auth';
import { decodeCursor, encodeCursor, errorResponses } from '../schemas/common';
import { RiskEnterprises, RiskEnterprisesQuery, RiskMap, RiskMapParams } from '../schemas/risk-map';

export const riskMapRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  /** The campaign if the actor takes part (or runs it); otherwise it does not exist for it (404). */
  async function visible(actor: Actor, id: string): Promise<CampaignRow> {
    return campaignReadableBy(db, actor, id);
  }

  async function assessed(actor: Actor, c: CampaignRow) {
    const scope = actor.role === 'county' ? { countyCode: actor.scope! } : actor.role === 'department' ? { departmentCode: actor.scope! } : {};
    const rule = c.template.riskMap ?? defaultRiskMapRule();
    const roster = await riskRoster(db, { id: c.id, industries: c.template.industries }, scope);
    return { rule, rows: roster.map((r) => ({ ...r, ...assessRisk(r.metrics, rule) })) };
  }

  app.get(
    '/campaigns/:id/risk-map',
    {
      schema: {
        tags: ['campaigns'],
        summary:
          "The four-colour risk map (四色图) now: per county × industry the enterprises of each level, coloured by the worst, the totals, and the enterprises with coordinates as points. The level comes from the template's riskMap rule (or the default). The office and admin see the roster; a county or department taking part its own enterprises",
        params: RiskMapParams,
        response: { 200: RiskMap, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireRole(request, 'admin', 'office', 'county', 'department');
      const c = await visible(actor, request.params.id);
      const at = new Date().toISOString();
      const { rule, rows } = await assessed(actor, c);
      const { cells, totals } = riskCells(rows);
      const points = rows.flatMap((r) => (r.latitude !== null && r.longitude !== null ? [{ enterpriseId: r.enterpriseId, level: r.level, latitude: r.latitude, longitude: r.longitude }] : []));
      return { campaignId: c.id, at, rule, totals, cells, points };
    },
  );

  app.get(
    '/campaigns/:id/risk-map/enterprises',
    {
      schema: {
        tags: ['campaigns'],
        summary: "Each enterprise's level with its reasons and figures, by enterprise id in keyset pages; countyCode + industry give the list behind a cell of the map, level narrows it",
        params: RiskMapParams,
        querystring: RiskEnterprisesQuery,
        response: { 200: RiskEnterprises, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireRole(request, 'admin', 'office', 'county', 'department');
      const q = request.query;
      const after = decodeCursor(q.cursor, (v): v is { id: string } => typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string');
      if (after === null) throw invalidInput([{ field: 'querystring.cursor', reason: 'is not a cursor this list gave' }]);
      const c = await visible(actor, request.params.id);
      const { rows } = await assessed(actor, c);
      const matching = rows.filter((r) => (q.countyCode === undefined || r.countyCode === q.countyCode) && (q.industry === undefined || r.industry === q.industry) && (q.level === undefined || r.level === q.level) && (after === undefined || r.enterpriseId > after.id));
      const limit = q.limit ?? 50;
      const page = matching.slice(0, limit);
      return {
        items: page.map((r) => ({
          enterpriseId: r.enterpriseId,
          name: r.name,
          creditCode: r.creditCode,
          countyCode: r.countyCode,
          departmentCode: r.departmentCode,
          industry: r.industry,
          level: r.level,
          reasons: r.reasons,
          metrics: r.metrics,
          location: r.latitude !== null && r.longitude !== null ? { latitude: r.latitude, longitude: r.longitude } : null,
        })),
        nextCursor: matching.length > limit ? encodeCursor({ id: page.at(-1)!.enterpriseId }) : null,
      };
    },
  );
};

// Scoring and ranking (打分排队) of a campaign's counties or departments at an instant: a pure
// function (domain/scoring.ts) of the ledger as it stood then (db/scoring.repo.ts), so a past
// ranking is reproducible.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/client';
import { scoringSnapshot } from '../../db/scoring.repo';
import { DomainError, ErrorCode, invalidInput } from '../../domain/errors';
import { campaignReadableBy } from '../../services/campaign-access';
import { defaultScoringScheme, rank } from '../../domain/scoring';
import { drawDisclosed } from '../../domain/unannounced';
import { requireRole } from '../plugins/auth';
import { errorResponses } from '../schemas/common';
import { Ranking, RankingParams, RankingQuery } from '../schemas/ranking';

export const rankingRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/campaigns/:id/ranking',
    {
      schema: {
        tags: ['campaigns'],
        summary:
          "The ranking (打分排队) of the campaign's counties or departments at an instant (now by default): each indicator's value and points, the total and the rank. The office, admin and reviewers read it; so do the counties and departments taking part, for all units: the plan circulates rankings (通报). The DEPARTMENT ranking tells how many inspections each department owes (who was drawn): a county or reviewer reads it once the campaign completes (403 before)",
        params: RankingParams,
        querystring: RankingQuery,
        response: { 200: Ranking, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireRole(request, 'admin', 'office', 'reviewer', 'county', 'department');
      const now = Date.now();
      const at = request.query.at === undefined ? now : Date.parse(request.query.at);
      // A future instant is refused: events yet to come could still change its ranking.
      if (at > now) throw invalidInput([{ field: 'querystring.at', reason: `'${request.query.at}' is in the future: a ranking is of what the ledger holds` }]);
      // Outside the key's units (a county, a department, a scoped reviewer not taking part) the campaign does not exist.
      const c = await campaignReadableBy(db, actor, request.params.id);
      const kind = request.query.kind ?? 'COUNTY';
      // The departments' inspection counts tell how many of their enterprises were drawn (unannounced
      // inspections): they are for those who read the draw, and for every party once the campaign completes.
      if (kind === 'DEPARTMENT' && !drawDisclosed(actor, c.status === 'COMPLETED')) {
        throw new DomainError(ErrorCode.FORBIDDEN, 'the departments are ranked for the office and the departments until the campaign completes: their inspection counts would tell who was drawn', [
          { field: 'querystring.kind', reason: 'a county or a reviewer reads the DEPARTMENT ranking once the campaign completes' },
        ]);
      }
      const scheme = c.template.scoring ?? defaultScoringScheme();
      const snapshot = await scoringSnapshot(db, c.id, new Date(at));
      return { campaignId: c.id, at: new Date(at).toISOString(), kind, scheme: scheme[kind], units: rank(snapshot, scheme, kind) };
    },
  );
};

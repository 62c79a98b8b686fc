// Who reads a campaign: the admin, the office and a city-wide reviewer every campaign; any other key
// only one a unit of its scope takes part in (a county's or department's own, a scoped reviewer's,
// an enterprise's county). Outside that the campaign does not exist for the key (404), so its
// existence is not told either.
import { getCampaign, participantsOf, type CampaignRow } from '../db/campaign-admin.repo';
import type { Db } from '../db/client';
import { getEnterprise } from '../db/reference.repo';
import { DomainError, ErrorCode } from '../domain/errors';
import type { Actor } from '../domain/hazard';

/**
 * Whose campaigns the actor sees: null for every campaign (admin, office, a city-wide reviewer),
 * else the unit codes one of which takes part: a county's or department's own, a scoped
 * reviewer's, an enterprise's county (the campaigns covering it, which it declares its
 * self-inspection in).
 */
export async function campaignScope(db: Db, actor: Actor): Promise<string[] | null> {
  switch (actor.role) {
    case 'admin':
    case 'office':
      return null;
    case 'reviewer':
      return actor.scope === null ? null : [actor.scope];
    case 'county':
    case 'department':
      return actor.scope ? [actor.scope] : [];
    case 'enterprise': {
      const e = actor.scope ? await getEnterprise(db, actor.scope) : undefined;
      return e ? [e.countyCode] : [];
    }
  }
}

/** The campaign if it is within the actor's campaignScope; otherwise 404. */
export async function campaignReadableBy(db: Db, actor: Actor, campaignId: string): Promise<CampaignRow> {
  const c = await getCampaign(db, campaignId);
  const codes = c ? await campaignScope(db, actor) : null;
  if (!c || (codes !== null && !(await participantsOf(db, c.id)).some((p) => codes.includes(p.unitCode)))) throw new DomainError(ErrorCode.NOT_FOUND, 'campaign not found');
  return c;
}

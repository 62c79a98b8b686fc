// Who reads a campaign: the admin and the office every campaign; any other key (a county, a
// department, a scoped reviewer) only one its unit takes part in. Outside that the campaign does
// not exist for the key (404), so its existence is not told either.
import { getCampaign, participantsOf, type CampaignRow } from '../db/campaign-admin.repo';
import type { Db } from '../db/client';
import { DomainError, ErrorCode } from '../domain/errors';
import type { Actor } from '../domain/hazard';

export async function campaignReadableBy(db: Db, actor: Actor, campaignId: string): Promise<CampaignRow> {
  const c = await getCampaign(db, campaignId);
  const unit = actor.role === 'admin' || actor.role === 'office' ? null : actor.scope;
  if (!c || (unit !== null && !(await participantsOf(db, c.id)).some((p) => p.unitCode === unit))) throw new DomainError(ErrorCode.NOT_FOUND, 'campaign not found');
  return c;
}

// What the campaign workflow tests share: the Datong plan moved into the test server's future, its
// units on the ledger, and a launch as POST /v1/campaigns does it (a ledger row, then the workflow).
import { randomUUID } from 'node:crypto';
import { insertCampaign } from '../../db/campaign-admin.repo';
import type { Db } from '../../db/client';
import { units } from '../../db/schema';
import { datong2023Template, type CampaignTemplate } from '../../domain/campaign';
import { validateTemplate } from '../../domain/campaign-template';
import type { TemporalTarget } from '../../services/temporal';
import { campaignWorkflow } from '../../workflows/campaign.workflow';
import { actorFor, uniq } from './fixtures';

/**
 * The Datong plan with 2023 → `year` and 2024 → `year + 1`, validated, under a unique key. The
 * test server's clock starts at the real now and only moves forward; `year` - 2023 a multiple of
 * four keeps 02-29 a date.
 */
export function shiftedDatong(keyPrefix: string, year: number): CampaignTemplate {
  const json = JSON.stringify(datong2023Template).replace(/"2023-/g, `"${year}-`).replace(/"2024-/g, `"${year + 1}-`);
  const checked = validateTemplate({ ...JSON.parse(json), key: uniq(keyPrefix) });
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return checked.template;
}

/** The first year 2023 + 4k whose November lies after `now`: a shifted Datong campaign entirely ahead. */
export function datongYearAfter(now: number): number {
  let year = 2023;
  while (Date.parse(`${year}-11-01T00:00:00Z`) <= now) year += 4;
  return year;
}

/** Registers the counties and departments (codes made unique by the caller). */
export async function seedCampaignUnits(db: Db, counties: string[], departments: string[]): Promise<void> {
  await db.insert(units).values([
    ...counties.map((code) => ({ kind: 'COUNTY' as const, code, name: code, email: `${code}@county.test` })),
    ...departments.map((code) => ({ kind: 'DEPARTMENT' as const, code, name: code, email: `${code}@dept.test` })),
  ]);
}

/** A campaign of these units on the ledger (launched by the office) and its workflow started. */
export async function launchCampaign(db: Db, temporal: TemporalTarget, template: CampaignTemplate, opts: { counties: string[]; departments: string[]; seed: string }) {
  const id = randomUUID();
  const { campaign } = await insertCampaign(
    db,
    { id, name: template.name, template, workflowId: `campaign:${id}`, spotCheckSeed: opts.seed, launchedBy: actorFor('office'), idempotencyKey: id },
    [...opts.counties.map((unitCode) => ({ unitCode, kind: 'COUNTY' as const })), ...opts.departments.map((unitCode) => ({ unitCode, kind: 'DEPARTMENT' as const }))],
  );
  const wf = await temporal.client.workflow.start(campaignWorkflow, {
    taskQueue: temporal.taskQueue,
    workflowId: campaign.workflowId,
    args: [{ campaignId: id, template, spotCheckSeed: campaign.spotCheckSeed, launchedBy: campaign.launchedBy }],
  });
  return { id, campaign, wf };
}

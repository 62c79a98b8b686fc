// Launch figure: a campaign for ENTERPRISES enterprises and UNITS units on the dev server: time until
// every obligation workflow runs (unit obligations, the inspections of the draw and every roster
// enterprise's self-inspection duty), beside the time to start and run as many trivial workflows
// on the same server (the ideal), with the largest pending-activity count and history length seen in any workflow.
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { and, count, countDistinct, eq, max, ne } from 'drizzle-orm';
import type { Db } from '../db/client';
import { campaignRosters, duties, notifications, spotCheckDraws } from '../db/schema';
import { demoTemplate, type CampaignTemplate } from '../domain/campaign';
import { validateTemplate } from '../domain/campaign-template';
import { localDateOf, localTimeOf } from '../domain/time';
import { creditCode } from '../tests/support/fixtures';
import { START_CONCURRENCY } from '../activities/campaign.activities';

export interface LaunchContext {
  db: Db;
  client: Client;
  address: string;
  admin: string;
  post: (path: string, key: string, body: unknown) => Promise<{ id: string }>;
  say: (s: string) => void;
  until: (what: string, check: () => Promise<boolean>, everyMs?: number) => Promise<number>;
}

/** Every phase open at launch (so the draw happens at once), nothing due for an hour. */
function launchTemplate(start: number): CampaignTemplate {
  const tz = 'Asia/Shanghai';
  const at = (s: number) => `${localDateOf(start + s * 1000, tz)}T${localTimeOf(start + s * 1000, tz)}`;
  const base = demoTemplate(start);
  const t = {
    ...base,
    key: `bench-launch-${Math.floor(start / 1000)}`,
    phases: [
      { ...base.phases[0]!, start: at(0), end: at(3600) },
      { ...base.phases[1]!, start: at(0), end: at(7200) },
      { ...base.phases[2]!, start: at(0), end: at(7200) },
      { ...base.phases[3]!, start: at(7200), end: at(10800) },
      { ...base.phases[4]!, start: at(0), end: at(10800) },
    ],
    reporting: { ...base.reporting, implementationPlan: { due: at(3600), phase: 'MOBILIZATION' as const }, progressReport: { rule: 'EVERY' as const, every: 'PT30M', from: 'SELF_INSPECTION' as const, to: 'SPOT_CHECK' as const }, summary: { due: at(10800) }, reminderOffsets: ['PT10M'] },
    spotCheck: { ...base.spotCheck, inspectionDue: 'PT1H', reminderOffsets: ['PT10M'] },
  };
  const checked = validateTemplate(t);
  if (!checked.ok) throw new Error(`bench template invalid: ${JSON.stringify(checked.errors)}`);
  return checked.template;
}

export async function benchCampaignLaunch(ctx: LaunchContext, sizes: { enterprises: number; counties: number; departments: number }) {
  const { db, client, admin, post, say, until } = ctx;
  const tag = Date.now().toString(36);
  const counties = Array.from({ length: sizes.counties }, (_, i) => `c${tag}-${i}`);
  const departments = Array.from({ length: sizes.departments }, (_, i) => `d${tag}-${i}`);
  say(`launch: registering ${counties.length} counties, ${departments.length} departments, ${sizes.enterprises} enterprises`);
  for (const code of counties) await post('/v1/units', admin, { kind: 'COUNTY', code, name: code, email: `${code}@bench.test` });
  for (const code of departments) await post('/v1/units', admin, { kind: 'DEPARTMENT', code, name: code, email: `${code}@bench.test` });
  const industries = ['COAL_MINE', 'NON_COAL_MINE', 'HAZARDOUS_CHEMICALS', 'CONSTRUCTION', 'ROAD_TRANSPORT', 'CIVIL_EXPLOSIVES', 'CULTURE_TOURISM', 'FIRE_SAFETY', 'METALLURGY_TRADE'];
  const t0 = Date.now();
  for (let from = 0; from < sizes.enterprises; from += 5000) {
    const rows = Array.from({ length: Math.min(5000, sizes.enterprises - from) }, (_, k) => {
      const i = from + k;
      return { name: `企业${i}`, creditCode: creditCode(), industry: industries[i % industries.length], countyCode: counties[i % counties.length], departmentCode: departments[i % departments.length], supervisionLevel: i % 5 === 0 ? 'CITY' : 'COUNTY', principal: { name: `负责人${i}`, email: `p${i}@bench.test` } };
    });
    await post('/v1/enterprises/bulk', admin, { enterprises: rows });
  }
  const rosterMs = Date.now() - t0;

  const template = launchTemplate(Date.now());
  await post('/v1/campaign-templates', admin, template);
  const units = counties.length + departments.length;
  let maxCampaignHistory = 0;
  let maxPending = 0;
  const launchedAt = Date.now();
  const campaign = await post('/v1/campaigns', admin, { templateKey: template.key, templateVersion: 1, counties, departments });
  const sampler = setInterval(() => {
    void client.workflow
      .getHandle(`campaign:${campaign.id}`)
      .describe()
      .then((d) => {
        maxCampaignHistory = Math.max(maxCampaignHistory, d.historyLength);
        maxPending = Math.max(maxPending, d.raw.pendingActivities?.length ?? 0);
      }, () => undefined);
  }, 250);
  // Running = its duties on the ledger and its first steps taken: the workflow task that arms its timers
  // records a patch the server's visibility shows (TemporalChangeVersion): 'mail-off-the-path' where
  // the run mails the holder itself, 'duties-noticed-by-fan-out' where the campaign does (v8),
  // whoever wrote the duties (the workflow, or the fan-out before starting it).
  const kinds = {
    obligations: { prefix: `obligation:${campaign.id}:`, duty: and(ne(duties.kind, 'INSPECTION'), ne(duties.kind, 'SELF_INSPECTION')) },
    inspections: { prefix: `inspection:${campaign.id}:`, duty: eq(duties.kind, 'INSPECTION') },
    selfInspections: { prefix: `self-inspection:${campaign.id}:`, duty: eq(duties.kind, 'SELF_INSPECTION') },
  };
  const running = async (k: keyof typeof kinds, expected: number): Promise<boolean> => {
    const [r] = await db.select({ n: countDistinct(duties.obligationId) }).from(duties).where(and(eq(duties.campaignId, campaign.id), kinds[k].duty));
    if ((r?.n ?? 0) < expected) return false;
    const started = await client.workflow.count(`WorkflowId STARTS_WITH "${kinds[k].prefix}" AND TemporalChangeVersion IN ("mail-off-the-path", "duties-noticed-by-fan-out")`);
    return started.count >= expected;
  };
  const obligationsMs = await until('every unit obligation to run', () => running('obligations', units));
  say(`launch: ${units} unit obligations running after ${obligationsMs} ms`);
  const [roster] = await db.select({ size: campaignRosters.size }).from(campaignRosters).where(eq(campaignRosters.campaignId, campaign.id));
  const selfInspections = roster?.size ?? 0;
  await until('the spot-check draw', async () => (await db.select({ n: count() }).from(spotCheckDraws).where(eq(spotCheckDraws.campaignId, campaign.id)))[0]!.n > 0);
  const [draw] = await db.select().from(spotCheckDraws).where(eq(spotCheckDraws.campaignId, campaign.id));
  const drawn = draw!.strata.reduce((n, s) => n + s.drawn.length, 0);
  await until('every inspection and self-inspection to run', async () => (await running('inspections', drawn)) && (await running('selfInspections', selfInspections)), 500);
  const allMs = Date.now() - launchedAt;
  clearInterval(sampler);
  say(`launch: ${drawn} inspections and ${selfInspections} self-inspections running; everything after ${allMs} ms`);
  // Not part of the figure, but the launch's work is not done before it: every holder's DUTIES_ASSIGNED
  // mail accepted by the SMTP sink (SENT on the outbox), whoever sends it. Waited for before the ideal,
  // so the trivial workflows never share the server with the launch's last mails.
  const mails = units + drawn + selfInspections;
  const assigned = and(eq(notifications.campaignId, campaign.id), eq(notifications.kind, 'DUTIES_ASSIGNED'), eq(notifications.status, 'SENT'));
  await until('every assignment mail to be sent', async () => (await db.select({ n: count() }).from(notifications).where(assigned))[0]!.n >= mails, 500);
  const [lastMail] = await db.select({ at: max(notifications.sentAt) }).from(notifications).where(assigned);
  const assignmentMailsSentMs = lastMail?.at ? lastMail.at.getTime() - launchedAt : null;
  say(`launch: ${mails} assignment mails sent after ${assignmentMailsSentMs} ms`);

  // Largest history among the obligation workflows (samples of inspections and self-inspections: they are all alike).
  const ids = [...counties, ...departments].map((u) => `obligation:${campaign.id}:${u}`).concat(draw!.strata.flatMap((s) => s.drawn).slice(0, 50).map((e) => `inspection:${campaign.id}:${e}`)).concat(draw!.roster.slice(0, 50).map((e) => `self-inspection:${campaign.id}:${e.enterpriseId}`));
  let maxObligationHistory = 0;
  for (const id of ids) maxObligationHistory = Math.max(maxObligationHistory, (await client.workflow.getHandle(id).describe()).historyLength);
  const finalCampaign = await client.workflow.getHandle(`campaign:${campaign.id}`).describe();
  maxCampaignHistory = Math.max(maxCampaignHistory, finalCampaign.historyLength);
  await client.workflow.getHandle(`campaign:${campaign.id}`).terminate('bench over');

  // The ideal: as many trivial workflows (units + drawn inspections + self-inspections), started the
  // way the fan-out starts them (START_CONCURRENCY starts in flight, not waiting for each to finish), on the same
  // server, until every one has run.
  const total = units + drawn + selfInspections;
  const queue = `bench-noop-${tag}`;
  const connection = await NativeConnection.connect({ address: ctx.address });
  const worker = await Worker.create({ connection, taskQueue: queue, workflowsPath: fileURLToPath(new URL('./noop.workflows.ts', import.meta.url)) });
  const runIdeal = (async () => {
    const s = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: START_CONCURRENCY }, async () => {
        while (next < total) {
          const i = next++;
          await client.workflow.start('benchNoopWorkflow', { taskQueue: queue, workflowId: `noop-${tag}-${i}` });
        }
      }),
    );
    await until('every trivial workflow to run', async () => (await client.workflow.count(`TaskQueue = "${queue}" AND ExecutionStatus = "Completed"`)).count >= total, 500);
    return Date.now() - s;
  })();
  const idealMs = await worker.runUntil(runIdeal);
  await connection.close();
  say(`launch: ideal (${total} trivial workflows started and run) ${idealMs} ms`);
  return {
    enterprises: sizes.enterprises,
    units,
    drawnInspections: drawn,
    selfInspections,
    rosterImportMs: rosterMs,
    unitObligationsRunningMs: obligationsMs,
    everythingRunningMs: allMs,
    assignmentMailsSentMs,
    idealTrivialWorkflowsMs: idealMs,
    ratio: +(allMs / idealMs).toFixed(2),
    largestCampaignHistory: maxCampaignHistory,
    largestObligationHistory: maxObligationHistory,
    largestPendingActivities: maxPending,
  };
}

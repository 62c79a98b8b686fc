// Records workflow histories for the replay tests: `npm run record:histories -- <label>`, e.g. v3.
// Run it before changing a workflow; commit the files it writes. Each history is a full run on
// the time-skipping server with the real activities (a throwaway Postgres, mail to a sink).
import { writeFile } from 'node:fs/promises';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { workflowInputFor } from '../../services/hazard.service';
import { createDatabase, startPostgres } from '../../cli/provision/postgres';
import { createTimeSkippingEnv } from '../../cli/provision/temporal';
import { createDb } from '../../db/client';
import { runMigrations } from '../../db/migrate';
import { hazardRectificationWorkflow } from '../../workflows/hazard.workflow';
import { startSmtpSink } from '../support/smtp-sink';
import { actorFor, reportBody, seedEnterprise, seedHazard } from '../support/fixtures';
import { createHazardWorker } from '../support/hazard-worker';

const DAY = 86_400_000;
const label = process.argv[2];
if (!label || !/^[\w.-]+$/.test(label)) {
  console.error('usage: npm run record:histories -- <label>   (e.g. v3; names the file hazard-major-full-<label>.json)');
  process.exit(2);
}
Runtime.install({ logger: new DefaultLogger('WARN') });

const pgServer = await startPostgres();
const url = await createDatabase(pgServer.url, 'record_histories');
await runMigrations(url);
const db = await createDb(url);
const sink = await startSmtpSink();
const env = await createTimeSkippingEnv();
const taskQueue = 'record-histories';
const worker = await createHazardWorker({ connection: env.nativeConnection, client: env.client, taskQueue, db: db.db, smtpUrl: sink.url });
const running = worker.run();

try {
  // A major hazard through every kind of step: report, listing, reminders, an extension,
  // a rejection, overdue notice and escalation, rectification, verification, closure.
  const enterprise = await seedEnterprise(db.db);
  const now = await env.currentTimeMs();
  const deadline = new Date(now + 20 * DAY).toISOString().slice(0, 10);
  const row = await seedHazard(db.db, enterprise, reportBody({ grade: 'MAJOR', deadline }), now);
  const wf = await env.client.workflow.start(hazardRectificationWorkflow, { taskQueue, workflowId: row.workflowId, args: [workflowInputFor(row)] });
  const dept = actorFor('department', enterprise.departmentCode);
  const owner = actorFor('enterprise', enterprise.id);
  await wf.executeUpdate('listForSupervision', { args: [{ actor: dept, note: '挂牌督办' }] });
  await env.sleep(15 * DAY);
  await wf.executeUpdate('requestExtension', { args: [{ actor: owner, requestedDeadline: new Date(now + 30 * DAY).toISOString(), reason: '设备到货延迟' }] });
  await wf.executeUpdate('decideExtension', { args: [{ actor: dept, decision: 'APPROVE' }] });
  await wf.executeUpdate('submitRectification', { args: [{ actor: owner, evidence: '第一次整改' }] });
  await wf.executeUpdate('decideVerification', { args: [{ actor: dept, decision: 'REJECT', reason: '不彻底' }] });
  await env.sleep(16 * DAY);
  await wf.executeUpdate('submitRectification', { args: [{ actor: owner, evidence: '第二次整改', attachments: [{ name: 'a.pdf' }] }] });
  await wf.executeUpdate('decideVerification', { args: [{ actor: dept, decision: 'ACCEPT' }] });
  await wf.executeUpdate('close', { args: [{ actor: dept }] });
  await wf.result();
  const history = await wf.fetchHistory();
  const file = new URL(`./history_files/hazard-major-full-${label}.json`, import.meta.url);
  await writeFile(file, JSON.stringify(history, null, 1));
  console.log(`wrote ${file.pathname} (${history.events?.length} events)`);
} finally {
  worker.shutdown();
  await running;
  await env.teardown();
  await sink.close();
  await db.close();
  await pgServer.stop();
}

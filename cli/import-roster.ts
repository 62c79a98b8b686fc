// `npm run import:roster -- <file.xlsx>`: loads the roster from a spreadsheet into DATABASE_URL (or
// the embedded PGlite) as POST /v1/enterprises/import does: the same reader, checks and upsert, with
// a progress bar while the file is read. Refused rows are printed with their row, column and reason.
// Hazards that follow a moved enterprise are moved on the ledger; the API's reconciler tells their
// workflows (the signal stays pending until then).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import cliProgress from 'cli-progress';
import { importRoster } from '../api/routes/reference.routes';
import { loadConfig } from '../config';
import { createDb } from '../db/client';
import type { Actor } from '../domain/hazard';
import { readRosterXlsx, sheetErrors } from '../services/roster-xlsx';
import { XLSX_MAX_ROWS } from '../api/routes/roster-xlsx.routes';

const file = process.argv[2];
if (!file) {
  console.error('usage: npm run import:roster -- <file.xlsx>');
  process.exit(2);
}
const config = loadConfig();
const size = (await stat(file)).size;
const bar = new cliProgress.SingleBar({ format: 'reading {bar} {percentage}% | {rows} rows', hideCursor: true }, cliProgress.Presets.shades_classic);
bar.start(size, 0, { rows: 0 });
let bytes = 0;
let rows = 0;
const counted = new Transform({
  transform(chunk: Buffer, _enc, done) {
    bytes += chunk.length;
    bar.update(bytes, { rows });
    done(null, chunk);
  },
});
const read = await readRosterXlsx(createReadStream(file).pipe(counted), { maxRows: XLSX_MAX_ROWS, onRow: (n) => (rows = n) });
bar.update(size, { rows: read.rows.length });
bar.stop();
if (read.errors.length > 0) {
  for (const e of read.errors) console.error(`${e.field}: ${e.reason}`);
  process.exit(1);
}
const handle = await createDb(config.databaseUrl);
try {
  const actor: Actor = { keyId: 'cli', role: 'office', scope: null, name: 'cli import-roster' };
  const result = await importRoster(handle.db, read.rows.map((r) => r.body), actor);
  for (const r of result.rows) {
    for (const e of sheetErrors(read, r.index, r.errors ?? [])) console.log(`row ${e.row}${e.column ? `, column ${e.column} (${e.header})` : ''}: ${e.reason}`);
  }
  console.log(`created ${result.created}, updated ${result.updated}, unchanged ${result.unchanged}, refused ${result.failed}; ${result.moved.length} enterprises moved`);
} finally {
  await handle.close();
}

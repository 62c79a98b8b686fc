// `npm run db:migrate`: applies the committed migrations to DATABASE_URL (or the embedded PGlite).
import { loadConfig } from '../config';
import { runMigrations } from '../db/migrate';

const config = loadConfig();
await runMigrations(config.databaseUrl);
console.log('migrations applied');

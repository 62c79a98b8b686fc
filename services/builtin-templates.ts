// Templates the system ships with, stored at every start of the API (api/server.ts) through the
// same check and store as POST /v1/campaign-templates, so a running system offers the Datong plan
// without anyone writing its JSON. Idempotent: stored once, the same body again changes nothing.
import { saveTemplate } from '../db/campaign-admin.repo';
import type { Db } from '../db/client';
import { datong2023Template, type CampaignTemplate } from '../domain/campaign';
import { validateTemplate } from '../domain/campaign-template';

/**
 * The Datong plan only: it is the plan this system was built for. The seconds-long demoTemplate is
 * not one: its dates (and key) follow the clock, so every start would store another.
 */
export const BUILT_IN_TEMPLATES: readonly CampaignTemplate[] = [datong2023Template];

export const isBuiltIn = (key: string, version: number): boolean => BUILT_IN_TEMPLATES.some((t) => t.key === key && t.version === version);

export interface BuiltInLoad {
  key: string;
  version: number;
  /** created: stored now; same: already stored alike; conflict: stored earlier with other content, kept as it is. */
  outcome: 'created' | 'same' | 'conflict';
}

/**
 * Stores each built-in template (validated and normalized, as the API stores one). A key and
 * version already stored with other content (stored before the template's rules changed: e.g.
 * without `reporting.beforeDay`) is left as it is, since campaigns may have been launched from it:
 * the caller warns, and an operator publishes the new content as a new version.
 */
export async function loadBuiltInTemplates(db: Db, templates: readonly CampaignTemplate[] = BUILT_IN_TEMPLATES): Promise<BuiltInLoad[]> {
  const loads: BuiltInLoad[] = [];
  for (const t of templates) {
    const checked = validateTemplate(t);
    // A built-in template is code: one that does not validate is a bug, not an operator's problem.
    if (!checked.ok) throw new Error(`built-in campaign template ${t.key} v${t.version} is invalid: ${JSON.stringify(checked.errors)}`);
    const saved = await saveTemplate(db, checked.template);
    loads.push({ key: t.key, version: t.version, outcome: saved.kind });
  }
  return loads;
}

// Which ledger rows a key may see, by the enterprise, county and department a row carries: one
// rule for hazards, enterprises, orders and whatever else is scoped the same way (canSee in
// domain/hazard.ts is the same rule for one object).
import { eq, or, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Actor } from '../domain/hazard';

export interface ScopeColumns {
  enterpriseId: PgColumn;
  countyCode: PgColumn;
  departmentCode: PgColumn;
}

/** Rows in the actor's scope: its enterprise, county or department; everything for admin, the office and a city-wide reviewer. */
export function scopedTo(actor: Actor, cols: ScopeColumns): SQL | undefined {
  switch (actor.role) {
    case 'admin':
    case 'office':
      return undefined;
    case 'department':
      return eq(cols.departmentCode, actor.scope ?? '');
    case 'county':
      return eq(cols.countyCode, actor.scope ?? '');
    case 'enterprise':
      return eq(cols.enterpriseId, actor.scope ?? '00000000-0000-0000-0000-000000000000');
    case 'reviewer':
      return actor.scope === null ? undefined : or(eq(cols.countyCode, actor.scope), eq(cols.departmentCode, actor.scope));
  }
}

// Hazards whose workflow has yet to learn the scope the ledger moved them to (a roster move). The
// row is written in the move's transaction and deleted once the workflow was signalled, so a signal
// lost to a Temporal outage is sent again by the reconciler: no hazard stays where its new
// regulators cannot act on it.
import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { hazards } from './hazards';

export const hazardScopeSyncs = pgTable(
  'hazard_scope_syncs',
  {
    hazardId: uuid('hazard_id')
      .primaryKey()
      .references(() => hazards.id),
    countyCode: text('county_code').notNull(),
    departmentCode: text('department_code').notNull(),
    requestedAt: timestamp('requested_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('hazard_scope_syncs_requested_idx').on(t.requestedAt)],
);

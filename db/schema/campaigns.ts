// Campaigns (专项行动): the plan as data, participants, their duties, the spot-check draw,
// self-inspection declarations, supervision findings and the frozen summary.
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import type { CampaignTemplate } from '../../domain/campaign';
import type { Actor } from '../../domain/hazard';
import type { RosterEntry, SpotCheckDrawRule, SpotCheckStratum } from '../../domain/spot-check';
import { unitKindEnum } from './enums';

const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/** Templates are versioned: a campaign keeps the exact version it was launched with. */
export const campaignTemplates = pgTable(
  'campaign_templates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    key: text('key').notNull(),
    version: integer('version').notNull(),
    body: jsonb('body').$type<CampaignTemplate>().notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [unique('campaign_templates_key_version_uq').on(t.key, t.version)],
);

export const campaigns = pgTable('campaigns', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  template: jsonb('template').$type<CampaignTemplate>().notNull(),
  workflowId: text('workflow_id').notNull().unique(),
  status: text('status').notNull().default('LAUNCHED'),
  currentPhases: jsonb('current_phases').$type<string[]>().notNull().default([]),
  spotCheckSeed: text('spot_check_seed').notNull(),
  launchedBy: jsonb('launched_by').$type<Actor>().notNull(),
  idempotencyKey: text('idempotency_key').unique(),
  requestHash: text('request_hash'),
  lastSeq: integer('last_seq').notNull().default(0),
  createdAt: ts('created_at').notNull().defaultNow(),
  completedAt: ts('completed_at'),
  /** Set once the campaign workflow is known to run; a row left without it is started by the reconciler. */
  workflowStartedAt: ts('workflow_started_at'),
  /** SHA-256 of the roster frozen at launch (campaign_rosters); null for campaigns launched before rosters were frozen. */
  rosterSha256: text('roster_sha256'),
});

/**
 * The in-scope roster as it stood at launch (participating counties, the template's industries,
 * active enterprises), sorted by enterprise id: the spot-check draw runs over it, so a roster edit
 * after launch cannot change who is drawn. Its hash is on the campaign row and in the audit log.
 */
export const campaignRosters = pgTable('campaign_rosters', {
  campaignId: uuid('campaign_id')
    .primaryKey()
    .references(() => campaigns.id),
  entries: jsonb('entries').$type<RosterEntry[]>().notNull(),
  size: integer('size').notNull(),
  frozenAt: ts('frozen_at').notNull().defaultNow(),
});

export const campaignParticipants = pgTable(
  'campaign_participants',
  {
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    unitCode: text('unit_code').notNull(),
    kind: unitKindEnum('kind').notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.unitCode] })],
);

/** Every phase change and campaign step, append-only, unique on (campaign, seq). */
export const campaignEvents = pgTable(
  'campaign_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id').notNull(),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    phase: text('phase'),
    actor: jsonb('actor').$type<Actor>().notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    at: ts('at').notNull(),
  },
  (t) => [unique('campaign_events_seq_uq').on(t.campaignId, t.seq)],
);

/**
 * A duty is something a unit owes by an instant: an implementation plan, a progress report,
 * a summary, or (for a department) the inspection of a drawn enterprise. One obligation
 * workflow owns the duties of one holder; this is their ledger row.
 */
export const duties = pgTable(
  'duties',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id').notNull(),
    obligationId: text('obligation_id').notNull(),
    holderCode: text('holder_code').notNull(),
    dutyKey: text('duty_key').notNull(),
    kind: text('kind').notNull(),
    label: text('label').notNull(),
    subjectEnterpriseId: uuid('subject_enterprise_id'),
    opensAt: ts('opens_at').notNull(),
    dueAt: ts('due_at').notNull(),
    state: text('state').notNull().default('PENDING'),
    late: boolean('late').notNull().default(false),
    missedAt: ts('missed_at'),
    submittedAt: ts('submitted_at'),
    submittedBy: jsonb('submitted_by').$type<Actor>(),
    content: jsonb('content').$type<Record<string, unknown>>(),
    lastSeq: integer('last_seq').notNull().default(0),
  },
  (t) => [
    unique('duties_obligation_key_uq').on(t.obligationId, t.dutyKey),
    index('duties_campaign_idx').on(t.campaignId, t.kind),
    index('duties_holder_idx').on(t.campaignId, t.holderCode),
  ],
);

export const dutyEvents = pgTable(
  'duty_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id').notNull(),
    obligationId: text('obligation_id').notNull(),
    seq: integer('seq').notNull(),
    dutyKey: text('duty_key').notNull(),
    type: text('type').notNull(),
    actor: jsonb('actor').$type<Actor>().notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    at: ts('at').notNull(),
  },
  (t) => [unique('duty_events_seq_uq').on(t.obligationId, t.seq), index('duty_events_campaign_idx').on(t.campaignId)],
);

/** The draw, reproducible by anyone: the seed, the rule, the roster it was drawn from, the result. */
export const spotCheckDraws = pgTable('spot_check_draws', {
  campaignId: uuid('campaign_id').primaryKey(),
  seed: text('seed').notNull(),
  rule: jsonb('rule').$type<SpotCheckDrawRule>().notNull(),
  roster: jsonb('roster').$type<RosterEntry[]>().notNull(),
  strata: jsonb('strata').$type<SpotCheckStratum[]>().notNull(),
  drawnAt: ts('drawn_at').notNull(),
});

export const selfInspections = pgTable(
  'self_inspections',
  {
    campaignId: uuid('campaign_id').notNull(),
    enterpriseId: uuid('enterprise_id').notNull(),
    problemsFound: integer('problems_found').notNull(),
    note: text('note'),
    declaredBy: jsonb('declared_by').$type<Actor>().notNull(),
    declaredAt: ts('declared_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.enterpriseId] })],
);

export const supervisionFindings = pgTable(
  'supervision_findings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id').notNull(),
    team: text('team').notNull(),
    targetKind: text('target_kind').notNull(),
    enterpriseId: uuid('enterprise_id'),
    unitCode: text('unit_code'),
    hazardId: uuid('hazard_id'),
    description: text('description').notNull(),
    actor: jsonb('actor').$type<Actor>().notNull(),
    foundAt: ts('found_at').notNull().defaultNow(),
  },
  (t) => [index('supervision_findings_campaign_idx').on(t.campaignId)],
);

/**
 * An inspection beyond the random sample (全覆盖): a department or county inspected an enterprise in
 * its scope of its own accord. Not drawn; its findings became hazards like a spot-check's.
 */
export const extraInspections = pgTable(
  'extra_inspections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id').notNull(),
    enterpriseId: uuid('enterprise_id').notNull(),
    /** The county or department that inspected (the office's own: null). */
    unitCode: text('unit_code'),
    outcome: text('outcome').notNull(),
    note: text('note'),
    hazardIds: jsonb('hazard_ids').$type<string[]>().notNull(),
    /** Always false: kept on the row so that a reader never takes it for a drawn inspection. */
    drawn: boolean('drawn').notNull().default(false),
    /** A retry with the same Idempotency-Key finds this row. */
    requestKey: text('request_key').unique(),
    actor: jsonb('actor').$type<Actor>().notNull(),
    inspectedAt: ts('inspected_at').notNull().defaultNow(),
  },
  (t) => [index('extra_inspections_campaign_idx').on(t.campaignId, t.enterpriseId)],
);

export const campaignSnapshots = pgTable('campaign_snapshots', {
  campaignId: uuid('campaign_id').primaryKey(),
  figures: jsonb('figures').$type<Record<string, unknown>>().notNull(),
  takenAt: ts('taken_at').notNull(),
});

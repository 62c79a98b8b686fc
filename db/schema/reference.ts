// Reference data: plain CRUD through the API.
import { sql } from 'drizzle-orm';
import { check, date, doublePrecision, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { Actor } from '../../domain/hazard';
import { deactivationKindEnum, enforcementStatusEnum, roleEnum, unitKindEnum } from './enums';

export interface Contact {
  name: string;
  email?: string;
  phone?: string;
  title?: string;
}

/** Counties/districts (县区) and member departments (成员单位) taking part. */
export const units = pgTable('units', {
  id: uuid('id').primaryKey().defaultRandom(),
  kind: unitKindEnum('kind').notNull(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  email: text('email'),
  phone: text('phone'),
  contactName: text('contact_name'),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

export const enterprises = pgTable(
  'enterprises',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    /** 统一社会信用代码 */
    creditCode: text('credit_code').notNull().unique(),
    industry: text('industry').notNull(),
    countyCode: text('county_code').notNull(),
    departmentCode: text('department_code').notNull(),
    /** Whether the city department or the county supervises it directly. */
    supervisionLevel: text('supervision_level').notNull().default('COUNTY'),
    principalName: text('principal_name').notNull(),
    principalEmail: text('principal_email'),
    principalPhone: text('principal_phone'),
    contacts: jsonb('contacts').$type<Contact[]>().notNull().default(sql`'[]'::jsonb`),
    locale: text('locale').notNull().default('zh-CN'),
    /** 停产整顿 / 关闭取缔 in force: kept by the enforcement orders' ledger writes (db/orders.repo.ts), in their transaction. */
    enforcementStatus: enforcementStatusEnum('enforcement_status').notNull().default('NONE'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /**
     * Deactivated (closed 关闭, merged 合并, …) by the office: kept with its history, out of future
     * draws and duties. All four set together, or none (active); the audit log keeps every change.
     */
    deactivatedAt: timestamp('deactivated_at', { withTimezone: true, precision: 3 }),
    deactivatedOn: date('deactivated_on', { mode: 'string' }),
    deactivationKind: deactivationKindEnum('deactivation_kind'),
    deactivationReason: text('deactivation_reason'),
    deactivatedBy: jsonb('deactivated_by').$type<Actor>(),
    /** Optional WGS-84 coordinates for the risk map's scatter (四色图): both or neither. */
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
  },
  (t) => [
    index('enterprises_enforcement_idx').on(t.enforcementStatus),
    index('enterprises_county_idx').on(t.countyCode),
    index('enterprises_department_idx').on(t.departmentCode),
    index('enterprises_created_idx').on(t.createdAt, t.id),
    check(
      'enterprises_deactivation_whole',
      sql`(${t.deactivatedAt} is null) = (${t.deactivatedOn} is null) and (${t.deactivatedAt} is null) = (${t.deactivationKind} is null) and (${t.deactivatedAt} is null) = (${t.deactivationReason} is null)`,
    ),
    check(
      'enterprises_coordinates',
      sql`(${t.latitude} is null) = (${t.longitude} is null) and (${t.latitude} is null or (${t.latitude} between -90 and 90 and ${t.longitude} between -180 and 180))`,
    ),
  ],
);

/** API keys are stored as SHA-256 hashes; the secret is shown once, at creation. */
export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  role: roleEnum('role').notNull(),
  scope: text('scope'),
  /** Where the key's holder is mailed: a reviewer is asked and reminded about the cases in its scope here. */
  email: text('email'),
  keyHash: text('key_hash').notNull().unique(),
  keyPrefix: text('key_prefix').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true, precision: 3 }),
  /** Refused from this instant on; null: never expires. */
  expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }),
  /** Moves on every change (creation, revocation): API processes refresh their in-memory key index from it. */
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
}, (t) => [index('api_keys_updated_idx').on(t.updatedAt)]);

// Postgres enums mirror the domain's UPPER_SNAKE string unions, so the ledger cannot hold a state the code does not know.
import { pgEnum } from 'drizzle-orm/pg-core';
import { NOTIFICATION_STATUSES } from '../../domain/delivery';
import { ENFORCEMENT_STATUSES } from '../../domain/enforcement';
import { DEACTIVATION_KINDS } from '../../domain/enterprise';
import { HAZARD_GRADES, HAZARD_SOURCES, HAZARD_STATES, ROLES } from '../../domain/hazard';

export const hazardStateEnum = pgEnum('hazard_state', HAZARD_STATES);
export const hazardGradeEnum = pgEnum('hazard_grade', HAZARD_GRADES);
export const hazardSourceEnum = pgEnum('hazard_source', HAZARD_SOURCES);
export const roleEnum = pgEnum('api_role', ROLES);
export const unitKindEnum = pgEnum('unit_kind', ['COUNTY', 'DEPARTMENT']);
export const notificationStatusEnum = pgEnum('notification_status', NOTIFICATION_STATUSES);
export const enforcementStatusEnum = pgEnum('enforcement_status', ENFORCEMENT_STATUSES);
export const deactivationKindEnum = pgEnum('deactivation_kind', DEACTIVATION_KINDS);

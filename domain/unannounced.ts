// Unannounced inspections (暗查暗访、突击检查, 四不两直): who was drawn for a spot-check inspection
// is known to the regulators who inspect (the office, and a department for its own enterprises)
// until each inspection is recorded; the county where a drawn enterprise sits learns of its
// inspection once it is recorded. Once the campaign completes the draw is public to its parties.
import type { Actor } from './hazard';

/** A drawn enterprise's inspection as the ledger has it (NOT_STARTED: no inspection duty, e.g. deactivated before the inspections started). */
export const INSPECTION_STATES = ['NOT_STARTED', 'PENDING', 'SUBMITTED', 'MISSED'] as const;
export type InspectionState = (typeof INSPECTION_STATES)[number];

export interface DrawnInspection {
  enterpriseId: string;
  /** Where the enterprise stood in the roster the draw ran over. */
  countyCode: string;
  departmentCode: string;
  state: InspectionState;
  late: boolean;
  submittedAt: string | null;
  /** False once the enterprise was deactivated (closed, merged, …). */
  active: boolean;
}

/**
 * Whether the actor reads the whole draw: its seed and its figures per stratum. The regulators who
 * inspect do; a county (and every other key) only once the campaign completes: with the seed and
 * its own roster a county could recompute who was drawn in it, and a stratum's figures name who
 * was drawn in a small one (a stratum of one enterprise is always drawn).
 */
export function drawDisclosed(actor: Actor, campaignCompleted: boolean): boolean {
  return actor.role === 'admin' || actor.role === 'office' || actor.role === 'department' || campaignCompleted;
}

/**
 * Whether the actor may know of this drawn enterprise's inspection: the office always, a
 * department for its own enterprises, a county for those in its territory once the inspection is
 * recorded (or the campaign completed). Enterprises and reviewers read no draw.
 */
export function mayKnowInspection(actor: Actor, i: Pick<DrawnInspection, 'countyCode' | 'departmentCode' | 'state'>, campaignCompleted: boolean): boolean {
  switch (actor.role) {
    case 'admin':
    case 'office':
      return true;
    case 'department':
      return i.departmentCode === actor.scope;
    case 'county':
      return i.countyCode === actor.scope && (i.state === 'SUBMITTED' || campaignCompleted);
    case 'enterprise':
    case 'reviewer':
      return false;
  }
}

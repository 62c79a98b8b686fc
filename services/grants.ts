// What a role and scope may be given (an account today; the same rules as an API key's): the
// office grants department, county, enterprise and reviewer access; admin and office only an admin.
import type { Db } from '../db/client';
import { getEnterprise, unitsByCode } from '../db/reference.repo';
import { DomainError, ErrorCode, invalidInput } from '../domain/errors';
import type { Actor, Role } from '../domain/hazard';

/** Whether `actor` may grant or take back access of this role (admin and office access: an admin only). */
export const mayGrantRole = (actor: Actor, role: Role): boolean => actor.role === 'admin' || (role !== 'admin' && role !== 'office');

/** Refuses (403 naming role, 422 naming scope) a role and scope `actor` may not grant or that names nothing. */
export async function checkGrant(db: Db, actor: Actor, role: Role, scope: string | undefined): Promise<void> {
  if (!mayGrantRole(actor, role)) throw new DomainError(ErrorCode.FORBIDDEN, `a ${actor.role} may not grant ${role} access`, [{ field: 'role', reason: 'only an admin grants admin or office access' }]);
  const needsScope = role === 'department' || role === 'county' || role === 'enterprise';
  // A reviewer's scope is optional: none for a city-wide reviewer, else a county or department.
  const mayScope = needsScope || role === 'reviewer';
  if (!mayScope && scope !== undefined) throw invalidInput([{ field: 'scope', reason: `a ${role} has no scope` }]);
  if (needsScope && scope === undefined) throw invalidInput([{ field: 'scope', reason: `a ${role} needs the ${role === 'enterprise' ? 'enterprise id' : `${role} code`}` }]);
  if (!mayScope || scope === undefined) return;
  const unitKinds = role === 'county' ? ['COUNTY'] : role === 'department' ? ['DEPARTMENT'] : ['COUNTY', 'DEPARTMENT'];
  const exists = role === 'enterprise' ? (await getEnterprise(db, scope)) !== undefined : (await unitsByCode(db, [scope])).some((u) => unitKinds.includes(u.kind));
  const what = role === 'enterprise' ? 'enterprise with this id' : role === 'reviewer' ? 'county or department with this code' : `${role} with this code`;
  if (!exists) throw invalidInput([{ field: 'scope', reason: `no ${what}` }]);
}

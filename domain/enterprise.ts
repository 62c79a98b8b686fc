import { DomainError, ErrorCode } from './errors';

// Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, the last a check character.
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function creditCodeCheckChar(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CHARSET.indexOf(first17[i]!);
    if (v < 0) return null;
    sum += v * WEIGHTS[i]!;
  }
  return CHARSET[(31 - (sum % 31)) % 31]!;
}

export function isValidCreditCode(code: string): boolean {
  return code.length === 18 && creditCodeCheckChar(code.slice(0, 17)) === code[17];
}

export const SUPERVISION_LEVELS = ['CITY', 'COUNTY'] as const;
export type SupervisionLevel = (typeof SUPERVISION_LEVELS)[number];

/**
 * Why an enterprise left the roster: closed (关闭), merged into another (合并), or another reason
 * (注销, moved out of the city, …). Wire values: never rename. Kept apart from the enforcement flag
 * (domain/enforcement.ts): a closure order (关闭取缔) is a regulator's decision, a deactivation the
 * roster's fact that the enterprise no longer exists as such.
 */
export const DEACTIVATION_KINDS = ['CLOSED', 'MERGED', 'OTHER'] as const;
export type DeactivationKind = (typeof DEACTIVATION_KINDS)[number];

/** What a roster row says about its deactivation; all null while it is active. */
export interface DeactivationFields {
  deactivatedAt: Date | null;
  deactivatedOn: string | null;
  deactivationKind: DeactivationKind | null;
  deactivationReason: string | null;
}

export const isActive = (e: Pick<DeactivationFields, 'deactivatedAt'>): boolean => e.deactivatedAt === null;

/**
 * Refuses to open anything new (a hazard, a self-inspection declaration) for a deactivated
 * enterprise: 409 CONFLICT naming `field`. Its history stays readable; nothing is added to it.
 */
export function assertActive(e: DeactivationFields, what: string, field: string): void {
  if (isActive(e)) return;
  const reason = `the enterprise was deactivated (${e.deactivationKind ?? 'OTHER'} on ${e.deactivatedOn ?? 'an unknown date'}): it takes no ${what}`;
  throw new DomainError(ErrorCode.CONFLICT, `${reason}; reason on record: ${e.deactivationReason ?? ''}`, [{ field, reason }]);
}

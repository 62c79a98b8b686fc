// Error codes shared by workflows, activities, the API and tests. Wire values: never rename.

export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  ILLEGAL_TRANSITION: 'ILLEGAL_TRANSITION',
  EXTENSION_PENDING: 'EXTENSION_PENDING',
  NO_EXTENSION_PENDING: 'NO_EXTENSION_PENDING',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  CONFLICT: 'CONFLICT',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
  /** The edge: too many requests for this key, a body over the limit, not JSON, a method the path lacks. */
  RATE_LIMITED: 'RATE_LIMITED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  /** A person's account locked after repeated failed sign-ins (423 with Retry-After). */
  ACCOUNT_LOCKED: 'ACCOUNT_LOCKED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface FieldError {
  field: string;
  reason: string;
}

/** Expected refusals travel as values (they cross Temporal boundaries); these are their shapes. */
export type Refusal = { ok: false; code: ErrorCode; reason: string; errors?: FieldError[] };

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** One line naming every field at fault, for problem `detail` and failure messages. */
export const describeFieldErrors = (errors: FieldError[]): string => errors.map((e) => `${e.field}: ${e.reason}`).join('; ');

/** The refusal of bad input: VALIDATION_FAILED with the fields at fault. */
export const invalidInput = (errors: FieldError[]): DomainError => new DomainError(ErrorCode.VALIDATION_FAILED, describeFieldErrors(errors), errors);

import { Type, type Static } from 'typebox';

/** RFC 9457 problem details, with the fields at fault. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.String(),
    code: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), reason: Type.String() }))),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);
export type Problem = Static<typeof Problem>;

export const problemRef = Type.Ref('Problem');
/** The error responses every authenticated route can give. */
export const errorResponses = { 400: problemRef, 401: problemRef, 403: problemRef, 404: problemRef, 409: problemRef, 422: problemRef, 503: problemRef };

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const Person = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    phone: Type.Optional(Type.String({ minLength: 3, maxLength: 40 })),
  },
  { additionalProperties: false },
);

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
};

export const encodeCursor = (c: object): string => Buffer.from(JSON.stringify(c)).toString('base64url');
export function decodeCursor<T>(cursor: string | undefined, guard: (v: unknown) => v is T): T | undefined | null {
  if (cursor === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return guard(v) ? v : null;
  } catch {
    return null;
  }
}

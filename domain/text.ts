// Text a Postgres text or jsonb column can hold: no U+0000, no lone UTF-16 surrogate (jsonb
// refuses the \ud800 escape JSON.stringify writes for one). Pure: used at the API's edge, by
// workflow validators and when a workflow records a step the ledger refused.
import type { FieldError } from './errors';

const NUL = /\u0000/g;

/** Why a string cannot be stored, or null when it can. */
export function unstorableReason(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (!text.isWellFormed()) return 'must be well-formed Unicode (a lone surrogate was found)';
  return null;
}

/** Every string (and object key) in `value` that cannot be stored, with its path (`a.b[2].c`). */
export function unstorableFields(value: unknown, path = '', out: FieldError[] = [], depth = 0): FieldError[] {
  if (depth > 64) return out;
  if (typeof value === 'string') {
    const reason = unstorableReason(value);
    if (reason) out.push({ field: path || 'body', reason });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => unstorableFields(v, `${path}[${i}]`, out, depth + 1));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const field = path ? `${path}.${k}` : k;
      const keyReason = unstorableReason(k);
      if (keyReason) out.push({ field, reason: `field name ${keyReason}` });
      unstorableFields(v, field, out, depth + 1);
    }
  }
  return out;
}

/** The same value with every string made storable (U+0000 and lone surrogates become U+FFFD). */
export function storable<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return value.replace(NUL, '\uFFFD').toWellFormed() as T;
  if (depth > 64 || !value || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => storable(v, depth + 1)) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storable(v, depth + 1)])) as T;
}

/** The start of a text for a workflow's history (the ledger keeps it whole): whole code points, an ellipsis when cut. */
export function excerpt(text: string, max = 200): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max - 1).join('')}…`;
}

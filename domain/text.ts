// Text a Postgres text or jsonb column can hold: no U+0000, no lone UTF-16 surrogate (jsonb
// refuses the \ud800 escape JSON.stringify writes for one). Pure: used at the API's edge, by
// workflow validators and when a workflow records a step the ledger refused.
import type { FieldError } from './errors';

const NUL = /\u0000/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Deeper than any shape the API declares; untyped bodies (templates, figures) get the same bound. */
export const MAX_NESTING = 32;
/** Enough to name every bad field of a form; a hostile body does not get a megabyte of errors back. */
export const MAX_REPORTED = 20;

/** Why a string cannot be stored, or null when it can. */
export function unstorableReason(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must not contain a lone UTF-16 surrogate (not valid Unicode)';
  return null;
}

/** A field name as a problem shows it: control characters and surrogates of a hostile key are escaped, not echoed. */
const printable = (key: string) => key.replace(/[\u0000-\u001f\u007f-\u009f\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const join = (base: string, key: string) => (base ? `${base}.${printable(key)}` : printable(key));

/**
 * Every string and object key under `value` that cannot be stored, and any nesting deeper than
 * MAX_NESTING, with its path (`a.b[2].c`, after `path`; `body` for the value itself), in document
 * order, at most MAX_REPORTED. Iterative: the depth a hostile body reaches is bounded, not the stack.
 */
export function unstorableFields(value: unknown, path = ''): FieldError[] {
  const out: FieldError[] = [];
  const stack: { v: unknown; field: string; depth: number }[] = [{ v: value, field: path, depth: 0 }];
  while (stack.length > 0 && out.length < MAX_REPORTED) {
    const { v, field, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const reason = unstorableReason(v);
      if (reason) out.push({ field: field || 'body', reason });
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_NESTING) {
      out.push({ field: field || 'body', reason: `nests deeper than ${MAX_NESTING} levels` });
      continue;
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], field: `${field}[${i}]`, depth: depth + 1 });
      continue;
    }
    const entries = Object.entries(v as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const reason = unstorableReason(key);
      if (reason) out.push({ field: join(field, key), reason: `field name ${reason}` });
      stack.push({ v: child, field: join(field, key), depth: depth + 1 });
    }
  }
  return out.slice(0, MAX_REPORTED);
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

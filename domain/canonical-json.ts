// JSON with object keys sorted at every level: equal values give equal text, whatever the key
// order a client or Postgres jsonb chose. Used to compare request bodies and stored documents.
export function canonicalJson(value: unknown): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(canon(value));
}

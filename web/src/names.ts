// Unit codes in words, from GET /v1/units (codes where a role may not list units).
import { useEffect, useState } from 'preact/hooks';
import { get } from './api';
import type { Unit } from './types';

let cache: Promise<Map<string, Unit>> | null = null;

export function resetNames(): void {
  cache = null;
}

export function useUnitNames(): (code: string) => string {
  const [map, setMap] = useState<Map<string, Unit>>(new Map());
  useEffect(() => {
    cache ??= get<{ items: Unit[] }>('/v1/units').then(
      (r) => new Map(r.items.map((u) => [u.code, u])),
      () => new Map(),
    );
    void cache.then(setMap);
  }, []);
  return (code) => map.get(code)?.name ?? code;
}

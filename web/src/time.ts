// Every date the console shows is read in a named IANA zone (the campaign's, or the hazard's own).
export const DEFAULT_ZONE = 'Asia/Shanghai';

const formats = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${zone}|${withTime}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
    });
    formats.set(key, f);
  }
  return f;
}

/** "2026-11-30 09:00" in the zone (no zone suffix: the page names its zone once). */
export function fmt(iso: string | null | undefined, zone: string, withTime = true): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = Object.fromEntries(formatter(zone, withTime).formatToParts(d).map((p) => [p.type, p.value]));
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  return withTime ? `${date} ${parts.hour}:${parts.minute}` : date;
}

/** "Asia/Shanghai (UTC+08:00)". */
export function zoneName(zone: string, at = new Date()): string {
  const off = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
  return `${zone} (${off.replace('GMT', 'UTC') || 'UTC'})`;
}

/** Whole days from now until the instant, rounded up; 0 once past. */
export function daysUntil(iso: string, now = Date.now()): number {
  return Math.max(0, Math.ceil((Date.parse(iso) - now) / 86_400_000));
}

/** A local "YYYY-MM-DDTHH:mm" (a datetime-local input) in the zone, as an ISO instant. */
export function localToIso(local: string, zone: string): string {
  // The zone's offset at that wall time, found by formatting a first guess (exact outside DST jumps).
  const guess = new Date(`${local}:00Z`);
  const off = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(guess).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(off);
  const minutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  return new Date(guess.getTime() - minutes * 60_000).toISOString();
}

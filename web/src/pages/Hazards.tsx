// The hazard ledger in the person's scope: filters in the address (so a link can carry them), keyset pages.
import { useEffect } from 'preact/hooks';
import type { Role } from '../auth';
import { qs } from '../api';
import { useCampaign } from '../campaign';
import { label, t, useLocale } from '../i18n';
import { useUnitNames } from '../names';
import { Link, navigate, useLocation } from '../router';
import type { Hazard, Page } from '../types';
import { Badge, Card, Empty, Pager, Show, Table, useApi, usePager, When } from '../ui';

export const STATES = ['REGISTERED', 'REPORTED_TO_REGULATOR', 'LISTED_FOR_SUPERVISION', 'RECTIFYING', 'SUBMITTED', 'VERIFIED', 'CLOSED', 'WITHDRAWN'];
export const INDUSTRIES = [
  'COAL_MINE',
  'NON_COAL_MINE',
  'HAZARDOUS_CHEMICALS',
  'CONSTRUCTION',
  'ROAD_TRANSPORT',
  'CIVIL_EXPLOSIVES',
  'CULTURE_TOURISM',
  'FIRE_SAFETY',
  'METALLURGY_TRADE',
  'EDUCATION',
  'CIVIL_AFFAIRS',
  'AGRICULTURE',
  'COMMERCE',
  'HEALTH',
  'SPORT',
  'GRAIN_RESERVES',
];
const FILTERS = ['status', 'grade', 'overdue', 'county', 'department', 'industry', 'enterpriseId'] as const;

export function Hazards({ role }: { role: Role }) {
  useLocale();
  const { path, query } = useLocation();
  const { zone } = useCampaign();
  const name = useUnitNames();
  const pager = usePager();
  const filters = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  const key = JSON.stringify(filters);
  useEffect(() => pager.first(), [key]);
  const page = useApi<Page<Hazard>>(`/v1/hazards${qs({ ...filters, limit: 25, cursor: pager.cursor })}`);
  const set = (f: string, v: string) => {
    const q = new URLSearchParams(query);
    if (v) q.set(f, v);
    else q.delete(f);
    navigate(`${path}${q.toString() ? `?${q}` : ''}`, true);
  };
  const select = (f: (typeof FILTERS)[number], values: string[], show: (v: string) => string = label) => (
    <label>
      {t(f === 'status' ? 'state' : f)}
      <select value={filters[f]} onChange={(e) => set(f, (e.target as HTMLSelectElement).value)} data-testid={`filter-${f}`}>
        <option value="">{t('all')}</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {show(v)}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div data-testid="hazards">
      <h1>{t('hazards')}</h1>
      <div class="filters">
        {select('status', STATES)}
        {select('grade', ['GENERAL', 'MAJOR'])}
        {select('overdue', ['true', 'false'], (v) => (v === 'true' ? t('yes') : t('no')))}
        {select('industry', INDUSTRIES)}
        {role !== 'enterprise' && role !== 'county' && (
          <label>
            {t('county')}
            <input value={filters.county} onChange={(e) => set('county', (e.target as HTMLInputElement).value.trim())} placeholder="code" />
          </label>
        )}
        {role !== 'enterprise' && role !== 'department' && (
          <label>
            {t('department')}
            <input value={filters.department} onChange={(e) => set('department', (e.target as HTMLInputElement).value.trim())} placeholder="code" />
          </label>
        )}
      </div>
      <Card
        title={`${t('hazards')} · ${t('timeZone')} ${zone}`}
        actions={
          <a href={`/v1/hazards/export.xlsx${qs(filters)}`} download data-testid="hazards-export">
            {t('exportXlsx')}
          </a>
        }
      >
        <Show loaded={page}>
          {(p) => (
            <>
              <Table head={['description', 'grade', 'state', 'county', 'department', 'deadline', 'overdue']} testid="hazard-table">
                {p.items.map((h) => (
                  <tr key={h.id} data-hazard={h.id}>
                    <td>
                      <Link href={`/hazards/${h.id}`}>{h.description.length > 40 ? `${h.description.slice(0, 40)}…` : h.description}</Link>
                    </td>
                    <td>
                      <Badge value={label(h.grade)} tone={h.grade === 'MAJOR' ? 'bad' : undefined} />
                    </td>
                    <td>{label(h.state)}</td>
                    <td>{name(h.countyCode)}</td>
                    <td>{name(h.departmentCode)}</td>
                    <td>
                      <When iso={h.deadline} zone={zone} />
                    </td>
                    <td>{h.overdue ? <Badge value={t('overdue')} tone="bad" /> : ''}</td>
                  </tr>
                ))}
              </Table>
              <Empty rows={p.items} />
              <Pager pager={pager} nextCursor={p.nextCursor} />
            </>
          )}
        </Show>
      </Card>
    </div>
  );
}

// The four-colour risk map (四色图): county × industry coloured by the worst level of its
// enterprises (GET /v1/campaigns/:id/risk-map); a cell opens the enterprises behind it with the
// conditions that put each at its level (…/risk-map/enterprises); the enterprises with coordinates
// as points over the city, in their level's colour.
import { useState } from 'preact/hooks';
import { Scatter } from '../chart';
import { label, locale, t, useLocale } from '../i18n';
import { Link } from '../router';
import { Card, ErrorBox, Show, Table, useApi, When } from '../ui';

type Level = 'RED' | 'ORANGE' | 'YELLOW' | 'BLUE';
const LEVELS: Level[] = ['RED', 'ORANGE', 'YELLOW', 'BLUE'];
export const LEVEL_COLOURS: Record<Level, string> = { RED: '#d7301f', ORANGE: '#f28e2b', YELLOW: '#f2cf1d', BLUE: '#3b78c2' };

interface Map {
  at: string;
  totals: Record<Level, number>;
  cells: { countyCode: string; industry: string; level: Level; counts: Record<Level, number>; total: number }[];
  points: { enterpriseId: string; level: Level; latitude: number; longitude: number }[];
}
interface Enterprises {
  items: { enterpriseId: string; name: string; level: Level; reasons: { textZh: string; textEn: string }[] }[];
}

export function RiskMapCard({ campaignId, zone, name }: { campaignId: string; zone: string; name: (code: string) => string }) {
  useLocale();
  const map = useApi<Map>(`/v1/campaigns/${campaignId}/risk-map`);
  const [cell, setCell] = useState<{ countyCode: string; industry: string } | null>(null);
  const list = useApi<Enterprises>(cell ? `/v1/campaigns/${campaignId}/risk-map/enterprises?countyCode=${encodeURIComponent(cell.countyCode)}&industry=${cell.industry}&limit=100` : null);
  if (map.error?.status === 403) return null;
  return (
    <Card title={t('riskMap')} testid="risk-map">
      {map.error ? (
        <ErrorBox error={map.error} />
      ) : (
        <Show loaded={map}>
          {(m) => {
            const counties = [...new Set(m.cells.map((c) => c.countyCode))].sort();
            const industries = [...new Set(m.cells.map((c) => c.industry))].sort();
            const at = (county: string, industry: string) => m.cells.find((c) => c.countyCode === county && c.industry === industry);
            return (
              <>
                <p class="legend">
                  {LEVELS.map((l) => (
                    <span key={l} data-level={l}>
                      <i style={{ background: LEVEL_COLOURS[l] }} /> {label(`RISK_${l}`)} {m.totals[l]}
                    </span>
                  ))}
                  <span class="muted">
                    · {t('at')} <When iso={m.at} zone={zone} />
                  </span>
                </p>
                <div class="table-wrap">
                  <table class="risk-grid">
                    <thead>
                      <tr>
                        <th />
                        {industries.map((i) => (
                          <th key={i}>{label(i)}</th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {counties.map((county) => (
                        <tr key={county}>
                          <th>{name(county)}</th>
                          {industries.map((industry) => {
                            const c = at(county, industry);
                            return c ? (
                              <td key={industry} data-cell={`${county}|${industry}`} data-level={c.level} style={{ background: LEVEL_COLOURS[c.level] }} onClick={() => setCell({ countyCode: county, industry })} title={LEVELS.map((l) => `${label(`RISK_${l}`)} ${c.counts[l]}`).join(' · ')}>
                                {c.total}
                              </td>
                            ) : (
                              <td key={industry} class="empty-cell" />
                            );
                          })}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                {m.points.length > 0 && (
                  <>
                    <h3>{t('riskPoints')}</h3>
                    <Scatter
                      testid="risk-points"
                      axes={[t('longitude'), t('latitude')]}
                      series={LEVELS.map((l) => ({ name: label(`RISK_${l}`), color: LEVEL_COLOURS[l], points: m.points.filter((p) => p.level === l).map((p) => [p.longitude, p.latitude, p.enterpriseId.slice(0, 8)] as [number, number, string]) }))}
                    />
                  </>
                )}
              </>
            );
          }}
        </Show>
      )}
      {cell && (
        <>
          <h3>
            {name(cell.countyCode)} · {label(cell.industry)}
          </h3>
          <Show loaded={list}>
            {(l) => (
              <Table head={['enterprise', 'riskLevel', 'reason']} testid="risk-enterprises">
                {l.items.map((e) => (
                  <tr key={e.enterpriseId}>
                    <td>
                      <Link href={`/enterprises/${e.enterpriseId}`}>{e.name}</Link>
                    </td>
                    <td>
                      <span class="badge" style={{ background: LEVEL_COLOURS[e.level], color: e.level === 'YELLOW' ? '#333' : '#fff' }}>
                        {label(`RISK_${e.level}`)}
                      </span>
                    </td>
                    <td class="small">{e.reasons.map((r) => (locale.get() === 'en' ? r.textEn : r.textZh)).join('；')}</td>
                  </tr>
                ))}
              </Table>
            )}
          </Show>
        </>
      )}
    </Card>
  );
}

// The ranking (打分排队) of counties and departments now, indicator by indicator, and the monthly circulars (通报).
import { useState } from 'preact/hooks';
import { useCampaign } from '../campaign';
import { label, t, useLocale } from '../i18n';
import { useUnitNames } from '../names';
import type { Circular, Ranking as RankingView } from '../types';
import { Badge, Card, Empty, ErrorBox, Show, Table, useApi, When } from '../ui';

export function Ranking() {
  useLocale();
  const { campaign, zone } = useCampaign();
  const name = useUnitNames();
  const [kind, setKind] = useState<'COUNTY' | 'DEPARTMENT'>('COUNTY');
  const ranking = useApi<RankingView>(campaign ? `/v1/campaigns/${campaign.id}/ranking?kind=${kind}` : null);
  const circulars = useApi<{ items: Circular[] }>(campaign ? `/v1/campaigns/${campaign.id}/circulars` : null);
  const [month, setMonth] = useState<string | null>(null);
  const circular = useApi<{ html?: string; markdown?: string }>(campaign && month ? `/v1/campaigns/${campaign.id}/circulars/${month}` : null);
  return (
    <div data-testid="ranking">
      <h1>{t('ranking')}</h1>
      <p class="muted">
        {campaign?.name} · {t('timeZone')} {zone}
      </p>
      <div class="filters">
        <label>
          {t('kind')}
          <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as typeof kind)}>
            <option value="COUNTY">{label('COUNTY')}</option>
            <option value="DEPARTMENT">{label('DEPARTMENT')}</option>
          </select>
        </label>
      </div>
      <Card title={t('ranking')}>
        {ranking.error ? (
          <ErrorBox error={ranking.error} />
        ) : (
          <Show loaded={ranking}>
            {(r) => (
              <>
                <p class="muted">
                  {t('at')}: <When iso={r.at} zone={zone} />
                </p>
                <Table head={['rank', 'unit', 'points', ...(r.units[0]?.indicators.map((i) => label(i.indicator)) ?? [])]} testid="ranking-table">
                  {r.units.map((u) => (
                    <tr key={u.unitCode}>
                      <td>{u.rank}</td>
                      <td>{name(u.unitCode)}</td>
                      <td>
                        <strong>{u.total.toFixed(2)}</strong>
                      </td>
                      {u.indicators.map((i) => (
                        <td key={i.indicator} title={`${i.numerator}/${i.denominator ?? '—'}`}>
                          {i.points.toFixed(2)} / {i.weight}
                        </td>
                      ))}
                    </tr>
                  ))}
                </Table>
              </>
            )}
          </Show>
        )}
      </Card>
      <Card title={t('circulars')}>
        {circulars.error ? (
          <ErrorBox error={circulars.error} />
        ) : (
          <Show loaded={circulars}>
            {(c) => (
              <>
              <Empty rows={c.items} />
              <Table head={['month', 'status', 'at', '', ' ']}>
                {c.items.map((x) => (
                  <tr key={x.month}>
                    <td>{x.month}</td>
                    <td>
                      <Badge value={label(x.status)} tone={x.status === 'PUBLISHED' ? 'good' : undefined} />
                    </td>
                    <td>
                      <When iso={x.publishedAt ?? x.asOf} zone={zone} />
                    </td>
                    <td>
                      <button type="button" class="link" onClick={() => setMonth(x.month)}>
                        {t('detail')}
                      </button>
                    </td>
                    <td>
                      <a href={`/v1/campaigns/${campaign?.id ?? ''}/circulars/${x.month}/export.xlsx`} download data-testid={`circular-export-${x.month}`}>
                        {t('exportXlsx')}
                      </a>
                    </td>
                  </tr>
                ))}
              </Table>
              </>
            )}
          </Show>
        )}
        {month && circular.data?.markdown && <pre class="circular">{circular.data.markdown}</pre>}
      </Card>
    </div>
  );
}

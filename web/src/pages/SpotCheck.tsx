// The spot-check draw (what this person may know of it), its verification and coverage.
import { useCampaign } from '../campaign';
import { label, t, useLocale } from '../i18n';
import { useUnitNames } from '../names';
import type { CampaignStatus, SpotCheckDraw } from '../types';
import { Badge, Card, ErrorBox, pct, Show, Table, useApi, When } from '../ui';

export function SpotCheck() {
  useLocale();
  const { campaign, zone } = useCampaign();
  const name = useUnitNames();
  const draw = useApi<SpotCheckDraw>(campaign ? `/v1/campaigns/${campaign.id}/spot-check` : null);
  const verification = useApi<{ matches: boolean; problems: string[]; rosterSha256: string | null }>(campaign ? `/v1/campaigns/${campaign.id}/spot-check/verification` : null);
  const status = useApi<CampaignStatus>(campaign ? `/v1/campaigns/${campaign.id}` : null);
  return (
    <div data-testid="spot-check">
      <h1>{t('spotCheck')}</h1>
      <p class="muted">
        {campaign?.name} · {t('timeZone')} {zone}
      </p>
      <div class="grid2">
        <Card title={t('spotCheck')}>
          {draw.error?.status === 404 ? (
            <p class="muted" data-testid="not-drawn">
              {t('notDrawn')}
            </p>
          ) : draw.error ? (
            <ErrorBox error={draw.error} />
          ) : (
            <Show loaded={draw}>
              {(d) => (
                <>
                  <dl class="facts">
                    <dt>{t('seed')}</dt>
                    <dd>
                      <code>{d.seed ?? '—'}</code>
                    </dd>
                    <dt>{t('rosterSize')}</dt>
                    <dd>{d.rosterSize}</dd>
                    <dt>{t('drawnAt')}</dt>
                    <dd>
                      <When iso={d.drawnAt} zone={zone} />
                    </dd>
                  </dl>
                  <Table head={['industry', 'county', 'population', 'required', 'drawn']}>
                    {d.strata.map((s) => (
                      <tr key={s.key}>
                        <td>{label(s.industry)}</td>
                        <td>{s.countyCode ? name(s.countyCode) : '—'}</td>
                        <td>{s.population}</td>
                        <td>{s.required}</td>
                        <td>{s.drawn.length}</td>
                      </tr>
                    ))}
                  </Table>
                  <h3>{t('inspections')}</h3>
                  <Table head={['enterpriseId', 'county', 'state']}>
                    {d.inspections.map((i) => (
                      <tr key={i.enterpriseId}>
                        <td>
                          <code>{i.enterpriseId.slice(0, 8)}</code>
                        </td>
                        <td>{name(i.countyCode)}</td>
                        <td>
                          {label(i.state)} {i.late && <Badge value={t('late')} tone="warn" />}
                        </td>
                      </tr>
                    ))}
                  </Table>
                </>
              )}
            </Show>
          )}
        </Card>
        <div>
          <Card title={t('verification')}>
            {verification.error?.status === 404 ? (
              <p class="muted">{t('notDrawn')}</p>
            ) : verification.error ? (
              <ErrorBox error={verification.error} />
            ) : (
              <Show loaded={verification}>
                {(v) => (
                  <>
                    <Badge value={v.matches ? `✓ ${t('matches')}` : '✗'} tone={v.matches ? 'good' : 'bad'} />
                    <p class="small">
                      SHA-256 <code>{v.rosterSha256 ?? '—'}</code>
                    </p>
                    <ul>
                      {v.problems.map((p) => (
                        <li key={p}>{p}</li>
                      ))}
                    </ul>
                  </>
                )}
              </Show>
            )}
          </Card>
          <Card title={t('coverage')}>
            <Show loaded={status}>
              {(s) =>
                s.coverage ? (
                  <>
                    <h3>{t('byIndustry')}</h3>
                    <Table head={['industry', 'inspected', 'required', 'share']}>
                      {Object.entries(s.coverage.byIndustry).map(([k, c]) => (
                        <tr key={k}>
                          <td>{label(k)}</td>
                          <td>{c.covered}</td>
                          <td>{c.required}</td>
                          <td>{pct(c.share)}</td>
                        </tr>
                      ))}
                    </Table>
                    <h3>{t('byDepartment')}</h3>
                    <Table head={['department', 'inspected', 'required', 'share']}>
                      {Object.entries(s.coverage.byDepartment).map(([k, c]) => (
                        <tr key={k}>
                          <td>{name(k)}</td>
                          <td>{c.covered}</td>
                          <td>{c.required}</td>
                          <td>{pct(c.share)}</td>
                        </tr>
                      ))}
                    </Table>
                  </>
                ) : (
                  <p class="muted">{t('noData')}</p>
                )
              }
            </Show>
          </Card>
        </div>
      </div>
    </div>
  );
}

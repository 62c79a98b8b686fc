// Each participating unit and its duties in the campaign: what is due when, filed, late or missed.
import { useCampaign } from '../campaign';
import { label, t, useLocale } from '../i18n';
import { useUnitNames } from '../names';
import type { CampaignStatus } from '../types';
import { Badge, Card, Show, Table, useApi, When } from '../ui';
import { tally } from './Overview';

export function Units() {
  useLocale();
  const { campaign, zone } = useCampaign();
  const name = useUnitNames();
  const status = useApi<CampaignStatus>(campaign ? `/v1/campaigns/${campaign.id}` : null);
  return (
    <div data-testid="units">
      <h1>{t('units')}</h1>
      <p class="muted">
        {campaign?.name} · {t('timeZone')} {zone}
        {campaign && (
          <>
            {' · '}
            <a href={`/v1/campaigns/${campaign.id}/duties/export.xlsx`} download data-testid="duties-export">
              {t('exportXlsx')}
            </a>
          </>
        )}
      </p>
      <Show loaded={status}>
        {(s) => (
          <div class="grid2">
            {s.participants.map((p) => {
              const duties = s.duties.units[p.unitCode] ?? [];
              const c = tally(duties);
              return (
                <Card key={p.unitCode} title={`${name(p.unitCode)} · ${label(p.kind)}`} testid={`unit-${p.unitCode}`}>
                  <p class="muted">
                    {t('filed')} {c.filed} · {t('late')} {c.late} · {t('missed')} {c.missed} · {t('pending')} {c.pending}
                  </p>
                  <Table head={['duties', 'due', 'state']}>
                    {duties.map((d) => (
                      <tr key={d.dutyKey}>
                        <td>{d.label}</td>
                        <td>
                          <When iso={d.dueAt} zone={zone} />
                        </td>
                        <td>
                          {d.state === 'SUBMITTED' ? (
                            <Badge value={d.late ? t('late') : t('filed')} tone={d.late ? 'warn' : 'good'} />
                          ) : d.state === 'MISSED' ? (
                            <Badge value={t('missed')} tone="bad" />
                          ) : (
                            <Badge value={t('pending')} />
                          )}
                        </td>
                      </tr>
                    ))}
                  </Table>
                </Card>
              );
            })}
          </div>
        )}
      </Show>
    </div>
  );
}

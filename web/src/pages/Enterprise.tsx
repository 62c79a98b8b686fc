// One enterprise: who it is, and its record (its hazards' events and mail, the cases about it,
// the enforcement orders against it), as GET /v1/enterprises/:id/record gives it.
import { useCampaign } from '../campaign';
import { label, t, useLocale } from '../i18n';
import { useUnitNames } from '../names';
import { Link } from '../router';
import { zoneName } from '../time';
import type { Page, RecordItem } from '../types';
import { Card, Show, useApi } from '../ui';
import { RecordTable } from './HazardDetail';

interface EnterpriseView {
  id: string;
  name: string;
  creditCode: string;
  industry: string;
  countyCode: string;
  departmentCode: string;
  supervisionLevel: string;
  principal: { name: string; phone: string | null; email: string | null };
  enforcementStatus: string;
  active: boolean;
}

export function Enterprise({ id }: { id: string }) {
  useLocale();
  const { zone } = useCampaign();
  const name = useUnitNames();
  const e = useApi<EnterpriseView>(`/v1/enterprises/${id}`);
  const record = useApi<Page<RecordItem>>(`/v1/enterprises/${id}/record?limit=200`);
  return (
    <div data-testid="enterprise">
      <p>
        <Link href={`/hazards?enterpriseId=${id}`}>← {t('hazards')}</Link>
      </p>
      <Show loaded={e}>
        {(x) => (
          <>
            <h1>{x.name}</h1>
            <p class="muted">
              {t('timeZone')}: {zoneName(zone)}
            </p>
            <Card title={t('detail')}>
              <dl class="facts">
                <dt>{t('id')}</dt>
                <dd>
                  <code>{x.creditCode}</code>
                </dd>
                <dt>{t('industry')}</dt>
                <dd>{label(x.industry)}</dd>
                <dt>{t('county')}</dt>
                <dd>{name(x.countyCode)}</dd>
                <dt>{t('department')}</dt>
                <dd>{name(x.departmentCode)}</dd>
                <dt>{t('responsible')}</dt>
                <dd>
                  {x.principal.name} {x.principal.phone ?? ''}
                </dd>
                <dt>{t('orders')}</dt>
                <dd>{label(x.enforcementStatus)}</dd>
              </dl>
            </Card>
          </>
        )}
      </Show>
      <Card title={t('record')}>
        <Show loaded={record}>{(r) => <RecordTable items={r.items} zone={zone} />}</Show>
      </Card>
    </div>
  );
}

// Enforcement orders (执法决定) in the person's scope, and one order with its record.
import { qs } from '../api';
import { useCampaign } from '../campaign';
import { label, t, useLocale } from '../i18n';
import { useUnitNames } from '../names';
import { Link } from '../router';
import { zoneName } from '../time';
import type { Order, Page, RecordItem } from '../types';
import { Badge, Card, Empty, Pager, Show, Table, useApi, usePager, When } from '../ui';
import { RecordTable } from './HazardDetail';

export function Orders() {
  useLocale();
  const { zone } = useCampaign();
  const name = useUnitNames();
  const pager = usePager();
  const page = useApi<Page<Order>>(`/v1/orders${qs({ limit: 25, cursor: pager.cursor })}`);
  return (
    <div data-testid="orders">
      <h1>{t('orders')}</h1>
      <Card title={`${t('orders')} · ${t('timeZone')} ${zone}`}>
        <Show loaded={page}>
          {(p) => (
            <>
              <Table head={['kind', 'status', 'county', 'department', 'orderDeadline', 'createdAt']}>
                {p.items.map((o) => (
                  <tr key={o.id}>
                    <td>
                      <Link href={`/orders/${o.id}`}>{label(o.kind)}</Link>
                    </td>
                    <td>
                      {label(o.status)} {o.overdue && <Badge value={t('overdue')} tone="bad" />}
                    </td>
                    <td>{name(o.countyCode)}</td>
                    <td>{name(o.departmentCode)}</td>
                    <td>
                      <When iso={o.deadline} zone={zone} />
                    </td>
                    <td>
                      <When iso={o.createdAt} zone={zone} />
                    </td>
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

export function OrderDetail({ id }: { id: string }) {
  useLocale();
  const detail = useApi<{ order: Order; live: Record<string, unknown> | null }>(`/v1/orders/${id}`);
  const record = useApi<Page<RecordItem>>(`/v1/orders/${id}/record?limit=200`);
  const name = useUnitNames();
  return (
    <div data-testid="order-detail">
      <p>
        <Link href="/orders">← {t('orders')}</Link>
      </p>
      <Show loaded={detail}>
        {({ order: o, live }) => (
          <>
            <div class="page-head">
              <h1>{label(o.kind)}</h1>
              <Badge value={label(o.status)} tone="info" />
              {o.overdue && <Badge value={t('overdue')} tone="bad" />}
            </div>
            <p class="muted">
              {t('timeZone')}: {zoneName(o.timeZone)}
            </p>
            <Card title={t('detail')}>
              <dl class="facts">
                <dt>{t('enterprise')}</dt>
                <dd>
                  <Link href={`/enterprises/${o.enterpriseId}`}>{o.enterpriseId.slice(0, 8)}</Link>
                </dd>
                <dt>{t('legalBasis')}</dt>
                <dd>{o.legalBasis}</dd>
                <dt>{t('reason')}</dt>
                <dd class="pre">{o.reason}</dd>
                <dt>{t('county')}</dt>
                <dd>{name(o.countyCode)}</dd>
                <dt>{t('department')}</dt>
                <dd>{name(o.departmentCode)}</dd>
                <dt>{t('orderDeadline')}</dt>
                <dd>
                  <When iso={o.deadline} zone={o.timeZone} />
                </dd>
                <dt>{t('hazards')}</dt>
                <dd>
                  {o.hazardIds.map((h) => (
                    <Link key={h} href={`/hazards/${h}`}>
                      {h.slice(0, 8)}{' '}
                    </Link>
                  ))}
                </dd>
                {o.caseId && (
                  <>
                    <dt>{t('cases')}</dt>
                    <dd>
                      <Link href={`/cases/${o.caseId}`}>{o.caseId.slice(0, 8)}</Link>
                    </dd>
                  </>
                )}
                <dt>{t('live')}</dt>
                <dd>{live ? label(String(live.status ?? '')) : t('liveUnavailable')}</dd>
              </dl>
            </Card>
            <Card title={t('record')}>
              <Show loaded={record}>{(r) => <RecordTable items={r.items} zone={o.timeZone} />}</Show>
            </Card>
          </>
        )}
      </Show>
    </div>
  );
}

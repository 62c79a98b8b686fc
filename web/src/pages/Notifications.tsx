// The outbox: every notification written, with its delivery; failures first when asked.
import { qs } from '../api';
import { useCampaign } from '../campaign';
import { label, t, useLocale } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import type { Notification, Page } from '../types';
import { Badge, Card, Empty, Pager, Show, Table, useApi, usePager, When } from '../ui';

export function Notifications() {
  useLocale();
  const { path, query } = useLocation();
  const { zone } = useCampaign();
  const failed = query.get('status') === 'FAILED';
  const pager = usePager();
  const page = useApi<Page<Notification>>(`/v1/notifications${qs({ status: failed ? 'FAILED' : undefined, limit: 50, cursor: pager.cursor })}`);
  return (
    <div data-testid="notifications">
      <h1>{t('notifications')}</h1>
      <div class="filters">
        <label class="check">
          <input
            type="checkbox"
            checked={failed}
            onChange={(e) => {
              pager.first();
              navigate((e.target as HTMLInputElement).checked ? `${path}?status=FAILED` : path, true);
            }}
          />{' '}
          {t('onlyFailed')}
        </label>
      </div>
      <Card title={`${t('notifications')} · ${t('timeZone')} ${zone}`}>
        <Show loaded={page}>
          {(p) => (
            <>
              <Table head={['createdAt', 'mailSubject', 'recipients', 'status', 'failures']}>
                {p.items.map((n) => (
                  <tr key={n.id}>
                    <td>
                      <When iso={n.createdAt} zone={zone} />
                    </td>
                    <td>{n.hazardId ? <Link href={`/hazards/${n.hazardId}`}>{n.subject}</Link> : n.subject}</td>
                    <td class="small">{n.recipients.join(', ')}</td>
                    <td>
                      <Badge value={label(n.status)} tone={n.status === 'FAILED' ? 'bad' : n.status === 'SENT' ? 'good' : n.status === 'PARTIALLY_SENT' ? 'warn' : undefined} />
                    </td>
                    <td class="small">
                      {n.failedRecipients.map((f) => `${f.address}: ${f.reason}`).join('; ')}
                      {n.lastError && n.failedRecipients.length === 0 ? n.lastError : ''}
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

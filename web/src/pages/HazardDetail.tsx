// One hazard: its ledger row, the live state of its workflow, its record (events and mail), and
// the commands this person may give in its state. The API has the final word on every command.
import { useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import type { Role } from '../auth';
import { label, locale, t, useLocale } from '../i18n';
import { useUnitNames } from '../names';
import { Link } from '../router';
import { fmt, localToIso, zoneName } from '../time';
import type { Hazard, LiveHazard, Page, RecordItem } from '../types';
import { Badge, Card, ErrorBox, Show, Table, useApi, When } from '../ui';

interface Detail {
  hazard: Hazard;
  live: LiveHazard | null;
}

const OPEN = ['REGISTERED', 'REPORTED_TO_REGULATOR', 'LISTED_FOR_SUPERVISION', 'RECTIFYING', 'SUBMITTED', 'VERIFIED'];
/** A copy of domain/hazard.ts's table, to offer only the commands that can succeed (the API checks again). */
export function commandsFor(role: Role, h: Hazard, listed: boolean): string[] {
  const verifier = h.grade === 'MAJOR' ? ['department', 'office', 'admin'] : ['enterprise', 'department', 'office', 'admin'];
  const extender = h.grade === 'MAJOR' ? ['department', 'office', 'admin'] : ['county', 'department', 'office', 'admin'];
  const open = OPEN.includes(h.state);
  const out: string[] = [];
  if (open && h.grade === 'MAJOR' && !listed && ['department', 'office', 'admin'].includes(role)) out.push('list-for-supervision');
  if (h.state === 'RECTIFYING' && ['enterprise', 'admin'].includes(role)) out.push('rectification');
  if (h.state === 'SUBMITTED' && verifier.includes(role)) out.push('verification');
  if (h.state === 'VERIFIED' && verifier.includes(role)) out.push('close');
  if (open && !['SUBMITTED', 'VERIFIED'].includes(h.state) && !h.pendingExtension && ['enterprise', 'admin'].includes(role)) out.push('extension-request');
  if (open && h.pendingExtension && extender.includes(role)) out.push('extension-decision');
  if (open && ['office', 'admin'].includes(role)) out.push('withdrawal');
  return out;
}

export function HazardDetail({ id, role }: { id: string; role: Role }) {
  useLocale();
  const detail = useApi<Detail>(`/v1/hazards/${id}`);
  const record = useApi<Page<RecordItem>>(`/v1/hazards/${id}/record?limit=200`);
  const name = useUnitNames();
  const enterprise = useApi<{ name: string }>(detail.data ? `/v1/enterprises/${detail.data.hazard.enterpriseId}` : null);
  const enterpriseName = enterprise.data?.name;
  const reload = () => {
    detail.reload();
    record.reload();
  };
  return (
    <div data-testid="hazard-detail">
      <p>
        <Link href="/hazards">← {t('hazards')}</Link>
      </p>
      <Show loaded={detail}>
        {({ hazard: h, live }) => {
          const listed = record.data?.items.some((r) => r.type === 'LISTED_FOR_SUPERVISION') ?? false;
          return (
            <>
              <div class="page-head">
                <h1>{h.description}</h1>
                <Badge value={label(h.grade)} tone={h.grade === 'MAJOR' ? 'bad' : undefined} />
                <Badge value={label(h.state)} tone="info" />
                {h.overdue && <Badge value={t('overdue')} tone="bad" />}
                {h.escalated && <Badge value={t('escalated')} tone="bad" />}
              </div>
              <p class="muted">
                {t('timeZone')}: {zoneName(h.timeZone)}
              </p>
              <div class="grid2">
                <Card title={t('detail')}>
                  <dl class="facts" data-testid="hazard-facts">
                    <dt>{t('id')}</dt>
                    <dd>
                      <code>{h.id}</code>
                    </dd>
                    <dt>{t('state')}</dt>
                    <dd data-testid="hazard-state">{label(h.state)}</dd>
                    <dt>{t('deadline')}</dt>
                    <dd data-testid="hazard-deadline">
                      <When iso={h.deadline} zone={h.timeZone} /> (v{h.deadlineVersion})
                    </dd>
                    <dt>{t('enterprise')}</dt>
                    <dd>
                      <Link href={`/enterprises/${h.enterpriseId}`}>{enterpriseName ?? h.enterpriseId.slice(0, 8)}</Link>
                    </dd>
                    <dt>{t('industry')}</dt>
                    <dd>{label(h.industry)}</dd>
                    <dt>{t('county')}</dt>
                    <dd>{name(h.countyCode)}</dd>
                    <dt>{t('department')}</dt>
                    <dd>{name(h.departmentCode)}</dd>
                    <dt>{t('source')}</dt>
                    <dd>{label(h.source)}</dd>
                    <dt>{t('location')}</dt>
                    <dd>{h.location}</dd>
                    <dt>{t('responsible')}</dt>
                    <dd>
                      {h.responsible.name} {h.responsible.phone ?? ''}
                    </dd>
                    <dt>{t('measures')}</dt>
                    <dd class="pre">{h.measures}</dd>
                    <dt>{t('interimControls')}</dt>
                    <dd class="pre">{h.interimControls}</dd>
                    <dt>{t('funds')}</dt>
                    <dd>{h.fundsAmount.toLocaleString()}</dd>
                    {h.pendingExtension && (
                      <>
                        <dt>{t('requestedDeadline')}</dt>
                        <dd>
                          <When iso={h.pendingExtension.requestedDeadline} zone={h.timeZone} /> · {h.pendingExtension.reason}
                        </dd>
                      </>
                    )}
                  </dl>
                </Card>
                <div>
                  <Card title={t('live')} testid="hazard-live">
                    {live ? (
                      <dl class="facts">
                        <dt>{t('state')}</dt>
                        <dd>{label(live.state)}</dd>
                        <dt>{t('deadline')}</dt>
                        <dd>
                          <When iso={live.deadline} zone={h.timeZone} />
                        </dd>
                        <dt>{t('overdue')}</dt>
                        <dd>{live.overdue ? t('yes') : t('no')}</dd>
                        <dt>{t('nextEvent')}</dt>
                        <dd>{live.nextEvent ? `${label(live.nextEvent.kind)} · ${fmt(live.nextEvent.atIso, h.timeZone)}` : '—'}</dd>
                      </dl>
                    ) : (
                      <p class="muted">{t('liveUnavailable')}</p>
                    )}
                  </Card>
                  <Commands hazard={h} role={role} listed={listed} onDone={reload} />
                </div>
              </div>
              <Card title={t('record')} testid="hazard-record">
                <Show loaded={record}>{(r) => <RecordTable items={r.items} zone={h.timeZone} />}</Show>
              </Card>
            </>
          );
        }}
      </Show>
    </div>
  );
}

export function RecordTable({ items, zone }: { items: RecordItem[]; zone: string }) {
  return (
    <Table head={['at', 'event', 'actor', 'detail']} testid="record-table">
      {items.map((r) => (
        <tr key={`${r.stream}:${r.ref}:${r.seq}:${r.type}:${r.at}`} data-type={r.type}>
          <td>
            <When iso={r.at} zone={zone} />
          </td>
          <td>
            {r.stream === 'mail' ? '✉ ' : ''}
            {label(r.type)}
          </td>
          <td>{r.actor ? `${r.actor.name} (${label(r.actor.role)})` : '—'}</td>
          <td class="small">{summary(r)}</td>
        </tr>
      ))}
    </Table>
  );
}

function summary(r: RecordItem): string {
  const parts: string[] = [];
  const from = r.from && (r.from.state ?? r.from.status);
  const to = r.to && (r.to.state ?? r.to.status);
  if (from || to) parts.push(`${label(String(from ?? '—'))} → ${label(String(to ?? '—'))}`);
  for (const k of ['subject', 'status', 'reason', 'note', 'recipients']) {
    const v = r.data[k];
    if (v !== undefined && v !== null && v !== '') parts.push(Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  return parts.join(' · ');
}

function Commands({ hazard: h, role, listed, onDone }: { hazard: Hazard; role: Role; listed: boolean; onDone: () => void }) {
  const commands = commandsFor(role, h, listed);
  const [active, setActive] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  if (commands.length === 0) return null;
  const field = (k: string) => ({ value: fields[k] ?? '', onInput: (e: Event) => setFields({ ...fields, [k]: (e.target as HTMLInputElement).value }) });
  const send = async (command: string, body: Record<string, unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await request('POST', `/v1/hazards/${h.id}/${command}`, body);
      setActive(null);
      setFields({});
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, String(err)));
    } finally {
      setBusy(false);
    }
  };
  const body = (command: string): Record<string, unknown> | null => {
    const f = fields;
    switch (command) {
      case 'list-for-supervision':
      case 'close':
        return f.note ? { note: f.note } : {};
      case 'rectification':
        return { evidence: f.evidence ?? '' };
      case 'verification':
        return f.decision === 'REJECT' ? { decision: 'REJECT', reason: f.reason ?? '' } : { decision: 'ACCEPT' };
      case 'extension-request':
        return { requestedDeadline: f.requestedDeadline ? localToIso(f.requestedDeadline, h.timeZone) : '', reason: f.reason ?? '' };
      case 'extension-decision':
        return { decision: f.decision === 'REFUSE' ? 'REFUSE' : 'APPROVE', ...(f.reason ? { reason: f.reason } : {}) };
      case 'withdrawal':
        return { reason: f.reason ?? '' };
      default:
        return null;
    }
  };
  return (
    <Card title={t('commands')} testid="hazard-commands">
      <div class="buttons">
        {commands.map((c) => (
          <button key={c} type="button" class={active === c ? 'primary' : ''} onClick={() => (setActive(c), setError(undefined))} data-testid={`command-${c}`}>
            {commandLabel(c)}
          </button>
        ))}
      </div>
      {active && (
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            void send(active, body(active)!);
          }}
        >
          {['list-for-supervision', 'close'].includes(active) && (
            <label>
              {t('note')}
              <textarea {...field('note')} />
            </label>
          )}
          {active === 'rectification' && (
            <label>
              {t('evidence')}
              <textarea required {...field('evidence')} />
            </label>
          )}
          {(active === 'verification' || active === 'extension-decision') && (
            <label>
              {t('decision')}
              <select {...field('decision')}>
                {active === 'verification' ? (
                  <>
                    <option value="ACCEPT">{t('accept')}</option>
                    <option value="REJECT">{t('reject')}</option>
                  </>
                ) : (
                  <>
                    <option value="APPROVE">{t('approve')}</option>
                    <option value="REFUSE">{t('refuse')}</option>
                  </>
                )}
              </select>
            </label>
          )}
          {active === 'extension-request' && (
            <label>
              {t('requestedDeadline')} ({h.timeZone})
              <input type="datetime-local" required {...field('requestedDeadline')} />
            </label>
          )}
          {['verification', 'extension-request', 'extension-decision', 'withdrawal'].includes(active) && (
            <label>
              {t('reason')}
              <textarea required={active !== 'verification' && active !== 'extension-decision'} {...field('reason')} />
            </label>
          )}
          <ErrorBox error={error} />
          <button type="submit" class="primary" disabled={busy} data-testid="command-submit">
            {t('submit')}
          </button>
        </form>
      )}
    </Card>
  );
}

const COMMAND_LABELS: Record<string, { zh: string; en: string }> = {
  'list-for-supervision': { zh: '挂牌督办', en: 'List for supervision' },
  rectification: { zh: '提交整改', en: 'Submit rectification' },
  verification: { zh: '验收', en: 'Verify' },
  close: { zh: '销号', en: 'Close' },
  'extension-request': { zh: '申请延期', en: 'Request extension' },
  'extension-decision': { zh: '审批延期', en: 'Decide extension' },
  withdrawal: { zh: '撤销', en: 'Withdraw' },
};
function commandLabel(c: string): string {
  const l = COMMAND_LABELS[c]!;
  return locale.get() === 'en' ? l.en : l.zh;
}

// Accountability cases in the person's scope, those waiting for a decision first; one case with its
// causes, record and the decision form (office, admin, reviewers).
import { useState } from 'preact/hooks';
import { ApiError, download, qs, request } from '../api';
import type { Role } from '../auth';
import { useCampaign } from '../campaign';
import { label, t, useLocale } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import { localToIso, zoneName } from '../time';
import type { CaseDetail as Detail, CaseView, Page, RecordItem } from '../types';
import { Badge, Card, Empty, ErrorBox, Pager, Show, Table, useApi, usePager, When } from '../ui';
import { RecordTable } from './HazardDetail';

const RUNGS = ['CIRCULAR', 'SUMMONS', 'REFERRAL', 'DISMISSAL', 'JUDICIAL'];

export function Cases() {
  useLocale();
  const { path, query } = useLocation();
  const { zone } = useCampaign();
  const status = query.get('status') ?? 'OPEN';
  const pager = usePager();
  const page = useApi<Page<CaseView>>(`/v1/cases${qs({ status: status === 'ALL' ? undefined : status, limit: 25, cursor: pager.cursor })}`);
  return (
    <div data-testid="cases">
      <h1>{t('cases')}</h1>
      <div class="filters">
        <label>
          {t('status')}
          <select
            value={status}
            onChange={(e) => {
              pager.first();
              navigate(`${path}?status=${(e.target as HTMLSelectElement).value}`, true);
            }}
            data-testid="filter-case-status"
          >
            {['OPEN', 'HELD', 'RESOLVED', 'ALL'].map((s) => (
              <option key={s} value={s}>
                {s === 'ALL' ? t('all') : label(s)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Card title={`${t('cases')} · ${t('timeZone')} ${zone}`}>
        <Show loaded={page}>
          {(p) => (
            <>
              <Table head={['subject', 'cause', 'rung', 'status', 'openedAt', 'reviewDue']} testid="case-table">
                {p.items.map((c) => (
                  <tr key={c.id} data-case={c.id}>
                    <td>
                      <Link href={`/cases/${c.id}`}>{c.subject.name ?? c.subject.ref}</Link> <span class="muted">{label(c.subject.kind)}</span>
                    </td>
                    <td>{label(c.causeKind)}</td>
                    <td>{label(c.rung)}</td>
                    <td>{label(c.status)}</td>
                    <td>
                      <When iso={c.openedAt} zone={zone} />
                    </td>
                    <td class={c.overdue ? 'bad' : ''}>
                      <When iso={c.reviewDueAt} zone={zone} />
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

export function CaseDetail({ id, role }: { id: string; role: Role }) {
  useLocale();
  const { zone } = useCampaign();
  const detail = useApi<Detail>(`/v1/cases/${id}`);
  const record = useApi<Page<RecordItem>>(`/v1/cases/${id}/record?limit=200`);
  const reload = () => {
    detail.reload();
    record.reload();
  };
  return (
    <div data-testid="case-detail">
      <p>
        <Link href="/cases">← {t('cases')}</Link>
      </p>
      <Show loaded={detail}>
        {({ case: c, causes, live, liveStatus }) => (
          <>
            <div class="page-head">
              <h1>{c.subject.name ?? c.subject.ref}</h1>
              <Badge value={label(c.rung)} tone="warn" />
              <Badge value={label(c.status)} tone={c.status === 'RESOLVED' ? 'good' : 'info'} />
              {c.overdue && <Badge value={t('overdue')} tone="bad" />}
            </div>
            <p class="muted">
              {t('timeZone')}: {zoneName(zone)}
            </p>
            <div class="grid2">
              <Card title={t('detail')}>
                <dl class="facts" data-testid="case-facts">
                  <dt>{t('subject')}</dt>
                  <dd>
                    {label(c.subject.kind)} · {c.subject.kind === 'ENTERPRISE' ? <Link href={`/enterprises/${c.subject.ref}`}>{c.subject.name ?? c.subject.ref}</Link> : (c.subject.name ?? c.subject.ref)}
                  </dd>
                  <dt>{t('cause')}</dt>
                  <dd>{label(c.causeKind)}</dd>
                  <dt>{t('rung')}</dt>
                  <dd data-testid="case-rung">{label(c.rung)}</dd>
                  <dt>{t('status')}</dt>
                  <dd data-testid="case-status">{label(c.status)}</dd>
                  <dt>{t('openedAt')}</dt>
                  <dd>
                    <When iso={c.openedAt} zone={zone} />
                  </dd>
                  <dt>{t('reviewDue')}</dt>
                  <dd>
                    <When iso={c.reviewDueAt} zone={zone} />
                  </dd>
                  <dt>{t('live')}</dt>
                  <dd>{liveStatus === 'LIVE' && live ? `${label(live.status)} · ${label(live.rung)}` : t('liveUnavailable')}</dd>
                </dl>
                <h3>{t('cause')}</h3>
                <ul>
                  {causes.map((k) => (
                    <li key={k.refId}>
                      {label(k.kind)}{' '}
                      {k.kind === 'HAZARD_ESCALATION' || k.kind === 'CONCEALMENT' ? <Link href={`/hazards/${k.refId}`}>{k.refId.slice(0, 8)}</Link> : <code>{k.refId.slice(0, 12)}</code>} {k.note ?? ''}
                    </li>
                  ))}
                </ul>
              </Card>
              {['admin', 'office', 'reviewer'].includes(role) && c.status !== 'RESOLVED' && <DecisionForm caseId={c.id} rung={c.rung} zone={zone} onDone={reload} />}
            </div>
            {['admin', 'office', 'reviewer'].includes(role) && <EvidenceExport caseId={c.id} />}
            <Card title={t('record')}>
              <Show loaded={record}>{(r) => <RecordTable items={r.items} zone={zone} />}</Show>
            </Card>
          </>
        )}
      </Show>
    </div>
  );
}

/** The evidence bundle (ledger, record, mail, every workflow's history, digests) saved as a file, with progress. */
function EvidenceExport({ caseId }: { caseId: string }) {
  const [progress, setProgress] = useState<{ received: number; total: number | null } | null>(null);
  const [error, setError] = useState<ApiError | undefined>();
  const [saved, setSaved] = useState(false);
  const run = async () => {
    setError(undefined);
    setSaved(false);
    setProgress({ received: 0, total: null });
    try {
      const blob = await download(`/v1/cases/${caseId}/evidence`, (received, total) => setProgress({ received, total }));
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `case-${caseId}-evidence.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setSaved(true);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, String(err)));
    }
  };
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  return (
    <Card title={t('evidenceExport')} testid="evidence">
      <div class="progress-row">
        <button type="button" onClick={() => void run()} disabled={progress !== null && !saved && !error} data-testid="evidence-export">
          {t('evidenceExport')}
        </button>
        {progress && (
          <>
            <progress max={progress.total ?? undefined} value={progress.total ? progress.received : undefined} />
            <span data-testid="evidence-progress">
              {kb(progress.received)}
              {progress.total ? ` / ${kb(progress.total)}` : ''}
              {saved ? ` · ${t('done')}` : ''}
            </span>
          </>
        )}
      </div>
      <ErrorBox error={error} />
    </Card>
  );
}

function DecisionForm({ caseId, rung, zone, onDone }: { caseId: string; rung: string; zone: string; onDone: () => void }) {
  const [kind, setKind] = useState<'ESCALATE' | 'HOLD' | 'RESOLVE'>('ESCALATE');
  const nextRung = RUNGS[RUNGS.indexOf(rung) + 1] ?? rung;
  const [to, setTo] = useState(nextRung);
  const [reason, setReason] = useState('');
  const [when, setWhen] = useState('');
  const [referralTo, setReferralTo] = useState('DISCIPLINE_COMMISSION');
  const [expose, setExpose] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    setDone(false);
    const body: Record<string, unknown> = { kind, reason };
    if (kind === 'ESCALATE') {
      body.to = to;
      if (expose) body.expose = true;
      if (to === 'SUMMONS' && when) body.summonsAt = localToIso(when, zone);
      if (to === 'REFERRAL') body.referralTo = referralTo;
    }
    if (kind === 'HOLD' && when) body.until = localToIso(when, zone);
    try {
      await request('POST', `/v1/cases/${caseId}/decisions`, body);
      setReason('');
      setDone(true);
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t('decide')} testid="decision-form">
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label>
          {t('decision')}
          <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as typeof kind)} data-testid="decision-kind">
            <option value="ESCALATE">{t('escalate')}</option>
            <option value="HOLD">{t('hold')}</option>
            <option value="RESOLVE">{t('resolve')}</option>
          </select>
        </label>
        {kind === 'ESCALATE' && (
          <>
            <label>
              {t('to')}
              <select value={to} onChange={(e) => setTo((e.target as HTMLSelectElement).value)} data-testid="decision-to">
                {RUNGS.map((r) => (
                  <option key={r} value={r}>
                    {label(r)}
                  </option>
                ))}
              </select>
            </label>
            {to === 'REFERRAL' && (
              <label>
                {t('referralTo')}
                <select value={referralTo} onChange={(e) => setReferralTo((e.target as HTMLSelectElement).value)}>
                  {['DISCIPLINE_COMMISSION', 'ORGANIZATION_DEPARTMENT', 'POLICE'].map((r) => (
                    <option key={r} value={r}>
                      {label(r)}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <label class="check">
              <input type="checkbox" checked={expose} onChange={(e) => setExpose((e.target as HTMLInputElement).checked)} /> {t('expose')}
            </label>
          </>
        )}
        {((kind === 'ESCALATE' && to === 'SUMMONS') || kind === 'HOLD') && (
          <label>
            {kind === 'HOLD' ? t('until') : t('summonsAt')} ({zone})
            <input type="datetime-local" value={when} onInput={(e) => setWhen((e.target as HTMLInputElement).value)} required data-testid="decision-when" />
          </label>
        )}
        <label>
          {t('reason')}
          <textarea required value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} data-testid="decision-reason" />
        </label>
        <ErrorBox error={error} />
        {done && (
          <p class="ok" data-testid="decision-done">
            {t('decided')}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy} data-testid="decision-submit">
          {t('submit')}
        </button>
      </form>
    </Card>
  );
}

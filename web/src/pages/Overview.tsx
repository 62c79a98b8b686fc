// The campaign at a glance: phase and days left, duties per unit, hazards by every axis, overdue,
// coverage, the ranking and the cases waiting for a decision. Figures are the API's, as given.
import { useCampaign } from '../campaign';
import { Bars } from '../chart';
import { label, t, useLocale } from '../i18n';
import { useUnitNames } from '../names';
import { Link } from '../router';
import { daysUntil } from '../time';
import type { CampaignStatus, CaseView, CountsBy, Duty, Page, Ranking } from '../types';
import { Badge, Card, ErrorBox, pct, Show, Stat, Table, useApi, When } from '../ui';
import { RiskMapCard } from './RiskMap';

export function Overview() {
  useLocale();
  const { list, campaign, zone } = useCampaign();
  const status = useApi<CampaignStatus>(campaign ? `/v1/campaigns/${campaign.id}` : null);
  if (list && list.length === 0) return <p class="muted">{t('noCampaign')}</p>;
  return (
    <div data-testid="overview">
      <Show loaded={status}>{(s) => <Figures s={s} zone={zone} />}</Show>
    </div>
  );
}

function Figures({ s, zone }: { s: CampaignStatus; zone: string }) {
  const name = useUnitNames();
  const current = s.currentPhases[0];
  const phaseWindow = current && s.phases ? s.phases[current] : undefined;
  const unitRows = Object.entries(s.duties.units).sort(([a], [b]) => a.localeCompare(b));
  return (
    <>
      <div class="page-head">
        <h1 data-testid="campaign-name">{s.name}</h1>
        <Badge value={label(s.status)} tone={s.status === 'RUNNING' ? 'info' : undefined} />
      </div>
      <div class="stats">
        <Stat label={t('phase')} value={s.currentPhases.map(label).join(' · ') || label(s.status)} testid="stat-phase" small />
        <Stat label={t('daysLeft')} value={phaseWindow ? t('days', { n: daysUntil(phaseWindow.closesAt) }) : '—'} testid="stat-days-left" />
        <Stat label={t('hazardCount')} value={s.hazards.total} testid="stat-hazards-total" />
        <Stat label={t('open')} value={s.hazards.open} tone="warn" testid="stat-hazards-open" />
        <Stat label={t('overdue')} value={s.hazards.overdue} tone={s.hazards.overdue > 0 ? 'bad' : 'good'} testid="stat-hazards-overdue" />
        <Stat label={`${t('duties')} · ${t('filed')}`} value={`${s.duties.submitted} / ${s.duties.total}`} testid="stat-duties-filed" />
        <Stat label={`${t('duties')} · ${t('late')}`} value={s.duties.submittedLate} tone="warn" testid="stat-duties-late" />
        <Stat label={`${t('duties')} · ${t('missed')}`} value={s.duties.missed} tone={s.duties.missed > 0 ? 'bad' : 'good'} testid="stat-duties-missed" />
      </div>
      {phaseWindow && (
        <p class="muted">
          {t('closesAt')}: <When iso={phaseWindow.closesAt} zone={zone} />
        </p>
      )}
      {s.phases && <Phases s={s} zone={zone} />}
      <RiskMapCard campaignId={s.id} zone={zone} name={name} />
      <div class="grid2">
        <Card title={t('byCounty')}>
          <Bars
            testid="chart-county"
            categories={Object.keys(s.hazards.byCounty).map(name)}
            series={[
              { name: t('open'), values: Object.values(s.hazards.byCounty).map((c) => c.open), color: '#d98e04' },
              { name: t('overdue'), values: Object.values(s.hazards.byCounty).map((c) => c.overdue), color: '#c0392b' },
            ]}
          />
          <CountTable by={s.hazards.byCounty} name={name} testid="by-county" />
        </Card>
        <Card title={t('byDepartment')}>
          <CountTable by={s.hazards.byDepartment} name={name} testid="by-department" />
          <h3>{t('byGrade')}</h3>
          <CountTable by={s.hazards.byGrade} name={label} testid="by-grade" />
        </Card>
        <Card title={t('byIndustry')}>
          <CountTable by={s.hazards.byIndustry} name={label} testid="by-industry" />
        </Card>
        <Card title={t('byState')}>
          <CountTable by={s.hazards.byState} name={label} testid="by-state" />
        </Card>
      </div>
      <Card title={t('duties')} testid="duties">
        <Table head={['unit', 'filed', 'late', 'missed', 'pending']}>
          {unitRows.map(([code, duties]) => {
            const c = tally(duties);
            return (
              <tr key={code}>
                <td>{name(code)}</td>
                <td>{c.filed}</td>
                <td class={c.late ? 'warn' : ''}>{c.late}</td>
                <td class={c.missed ? 'bad' : ''}>{c.missed}</td>
                <td>{c.pending}</td>
              </tr>
            );
          })}
        </Table>
      </Card>
      <div class="grid2">
        <Coverage s={s} name={name} />
        <RankingCard campaignId={s.id} name={name} />
      </div>
      <OpenCases campaignId={s.id} zone={zone} />
    </>
  );
}

export function tally(duties: Duty[]) {
  const c = { filed: 0, late: 0, missed: 0, pending: 0 };
  for (const d of duties) {
    if (d.state === 'SUBMITTED') c[d.late ? 'late' : 'filed']++;
    else if (d.state === 'MISSED') c.missed++;
    else c.pending++;
  }
  return c;
}

function Phases({ s, zone }: { s: CampaignStatus; zone: string }) {
  return (
    <ol class="phases" data-testid="phases">
      {Object.entries(s.phases!).map(([key, p]) => (
        <li key={key} class={p.status.toLowerCase()}>
          <strong>{label(key)}</strong>
          <span>
            <When iso={p.opensAt} zone={zone} /> – <When iso={p.closesAt} zone={zone} />
          </span>
        </li>
      ))}
    </ol>
  );
}

function CountTable({ by, name, testid }: { by: CountsBy; name: (k: string) => string; testid: string }) {
  const rows = Object.entries(by);
  return (
    <Table head={['', 'total', 'open', 'overdue']} testid={testid}>
      {rows.map(([k, c]) => (
        <tr key={k} data-key={k}>
          <td>{name(k)}</td>
          <td>{c.total}</td>
          <td>{c.open}</td>
          <td class={c.overdue ? 'bad' : ''}>{c.overdue}</td>
        </tr>
      ))}
    </Table>
  );
}

function Coverage({ s, name }: { s: CampaignStatus; name: (k: string) => string }) {
  const cov = s.coverage;
  return (
    <Card title={t('coverage')} testid="coverage">
      {!cov ? (
        <p class="muted">{t('noData')}</p>
      ) : (
        <>
          <p>
            {t('selfInspection')}: {cov.selfInspection.total.filed} / {cov.selfInspection.total.due} ({pct(cov.selfInspection.total.share)}) · {t('missed')} {cov.selfInspection.total.missed}
          </p>
          <Table head={['county', 'inspected', 'required', 'share']}>
            {Object.entries(cov.byCounty).map(([k, c]) => (
              <tr key={k}>
                <td>{name(k)}</td>
                <td>{c.covered}</td>
                <td>{c.required}</td>
                <td>{pct(c.share)}</td>
              </tr>
            ))}
          </Table>
        </>
      )}
    </Card>
  );
}

function RankingCard({ campaignId, name }: { campaignId: string; name: (k: string) => string }) {
  const r = useApi<Ranking>(`/v1/campaigns/${campaignId}/ranking?kind=COUNTY`);
  return (
    <Card title={t('ranking')} actions={<Link href="/ranking">{t('detail')}</Link>}>
      {r.error ? (
        <ErrorBox error={r.error} />
      ) : (
        <Table head={['rank', 'county', 'points']}>
          {(r.data?.units ?? []).map((u) => (
            <tr key={u.unitCode}>
              <td>{u.rank}</td>
              <td>{name(u.unitCode)}</td>
              <td>{u.total.toFixed(2)}</td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}

function OpenCases({ campaignId, zone }: { campaignId: string; zone: string }) {
  const cases = useApi<Page<CaseView>>(`/v1/cases?status=OPEN&campaignId=${campaignId}&limit=20`);
  return (
    <Card title={t('openCases')} actions={<Link href="/cases">{t('detail')}</Link>} testid="open-cases">
      <Show loaded={cases}>
        {(page) => (
          <Table head={['subject', 'cause', 'rung', 'reviewDue']}>
            {page.items.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link href={`/cases/${c.id}`}>{c.subject.name ?? c.subject.ref}</Link>
                </td>
                <td>{label(c.causeKind)}</td>
                <td>{label(c.rung)}</td>
                <td class={c.overdue ? 'bad' : ''}>
                  <When iso={c.reviewDueAt} zone={zone} />
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Show>
    </Card>
  );
}


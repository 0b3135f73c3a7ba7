import { useState } from 'react';
import type { z } from 'zod';
import type { FeedbackSummaryDto } from '../../branch-server/contract/feedback.contract.ts';
import type { DailyReportDto } from '../../branch-server/contract/reports.contract.ts';
import { Banner, Button, Card, Field, Select } from '../shared/ui.tsx';
import { BarChart, HourChart } from './charts.tsx';
import { useManager } from './context.tsx';
import { toCsv, downloadText, type Cell } from './csv.ts';
import { byName, listAll } from './data.ts';
import { formatDuration, formatNumber, formatPercent } from './format.ts';
import { Kpi, SectionHeader, TableWrap, useLoad, useT } from './kit.tsx';

type Report = z.output<typeof DailyReportDto>;
type Feedback = z.output<typeof FeedbackSummaryDto>;
type Timing = Report['totals'];

const CSV_HEADER = [
  'scope', 'name', 'counter', 'issued', 'transferred_in', 'called', 'served', 'no_show', 'transferred', 'open',
  'avg_wait_seconds', 'median_wait_seconds', 'p90_wait_seconds', 'avg_service_seconds', 'median_service_seconds', 'p90_service_seconds',
  'sla_compliance_percent',
] as const;

function timingCells(row: Omit<Timing, 'issued' | 'transferred_in' | 'open'>): Cell[] {
  return [
    row.avg_wait_seconds, row.median_wait_seconds, row.p90_wait_seconds,
    row.avg_service_seconds, row.median_service_seconds, row.p90_service_seconds, row.sla_compliance_percent,
  ];
}

/** The report as one CSV table (a row per total, queue, agent and hour), then the day's feedback. */
export function reportCsv(report: Report, feedback: Feedback | null): string {
  const t = report.totals;
  const rows: Cell[][] = [
    [...CSV_HEADER],
    ['total', report.site_name, '', t.issued, t.transferred_in, '', t.served, t.no_show, t.transferred, t.open, ...timingCells(t)],
    ...report.queues.map((q) => ['queue', `${q.prefix} ${q.queue_name}`, '', q.issued, q.transferred_in, '', q.served, q.no_show, q.transferred, q.open, ...timingCells(q)]),
    ...report.agents.map((a) => ['agent', a.name, a.counter, '', '', a.called, a.served, a.no_show, a.transferred, '', ...timingCells(a)]),
    ...report.hours.filter((h) => h.issued > 0 || h.served > 0).map((h) => [
      'hour', `${String(h.hour).padStart(2, '0')}:00`, '', h.issued, '', '', h.served, '', '', '', h.avg_wait_seconds, '', '', '', '', '', '',
    ]),
  ];
  if (feedback) {
    rows.push([], ['feedback', 'responses', 'avg_csat', 'nps_score', 'promoters', 'passives', 'detractors']);
    rows.push(['feedback', feedback.count, feedback.avg_csat, feedback.nps_score, feedback.promoters, feedback.passives, feedback.detractors]);
  }
  return toCsv(rows);
}

/** The daily report: volumes, waits and service times, SLA compliance, no-shows, per queue, agent and hour, with CSAT/NPS. */
export function ReportSection() {
  const { api, can } = useManager();
  const { t, lang } = useT();
  const [date, setDate] = useState('');
  const [site, setSite] = useState('');
  const sites = useLoad(async () => byName(await listAll(api, 'listSites')), [api]);
  const chosenSite = site || sites.data?.[0]?.id || '';
  const report = useLoad(async () => {
    if (!sites.data) return null;
    const day = await api.call('dailyReport', { query: { ...(date ? { date } : {}), ...(chosenSite ? { site: chosenSite } : {}) } });
    const feedback = can('read:feedback')
      ? await api.call('feedbackSummary', { query: { created_after: day.from, created_before: day.to } }).catch(() => null)
      : null;
    return { day, feedback };
  }, [api, date, chosenSite, sites.data]);
  const day = report.data?.day ?? null;
  const feedback = report.data?.feedback ?? null;
  const duration = (v: number | null) => formatDuration(lang, v);
  const count = (v: number | null) => formatNumber(lang, v);

  const exportCsv = () => {
    if (!day) return;
    downloadText(`rapport-${day.date}.csv`, reportCsv(day, feedback));
  };

  return (
    <section className="mg-section" aria-labelledby="section-title">
      <SectionHeader title={t('navReport')} lead={day ? t('reportLead', { site: day.site_name, timezone: day.timezone }) : t('reportLeadEmpty')} />
      <div className="mg-toolbar">
        <Field label={t('reportDate')} type="date" value={date || day?.date || ''} onChange={(e) => setDate(e.target.value)} />
        {(sites.data?.length ?? 0) > 1 && (
          <Select label={t('fieldSite')} value={chosenSite} onChange={(e) => setSite(e.target.value)}>
            {sites.data!.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </Select>
        )}
        <Button onClick={exportCsv} disabled={!day}>{t('exportCsv')}</Button>
      </div>
      {(report.failure ?? sites.failure) && <Banner>{(report.failure ?? sites.failure)!.message}</Banner>}
      {day && (
        <>
          <dl className="mg-kpis mg-kpis--report">
            <Kpi label={t('repIssued')} value={count(day.totals.issued)} />
            <Kpi label={t('repServed')} value={count(day.totals.served)} />
            <Kpi label={t('repNoShow')} value={count(day.totals.no_show)} />
            <Kpi label={t('repTransferred')} value={count(day.totals.transferred)} />
            <Kpi label={t('repOpen')} value={count(day.totals.open)} />
            <Kpi label={t('repSla')} value={formatPercent(lang, day.totals.sla_compliance_percent)} />
            <Kpi label={t('repAvgWait')} value={duration(day.totals.avg_wait_seconds)} sub={t('repMedianP90', { median: duration(day.totals.median_wait_seconds), p90: duration(day.totals.p90_wait_seconds) })} />
            <Kpi label={t('repAvgService')} value={duration(day.totals.avg_service_seconds)} sub={t('repMedianP90', { median: duration(day.totals.median_service_seconds), p90: duration(day.totals.p90_service_seconds) })} />
            <Kpi label={t('repCsat')} value={feedback?.avg_csat == null ? '–' : `${formatNumber(lang, feedback.avg_csat, 1)} / 5`} sub={t('repResponses', { n: feedback?.csat_count ?? 0 })} />
            <Kpi label={t('repNps')} value={feedback?.nps_score == null ? '–' : formatNumber(lang, feedback.nps_score)} sub={feedback ? t('repNpsSplit', { p: feedback.promoters, n: feedback.passives, d: feedback.detractors }) : undefined} />
          </dl>

          <div className="mg-grid-2">
            <Card>
              <BarChart
                title={t('chartVolumes')}
                series={[{ label: t('repIssued'), tone: 'primary' }, { label: t('repServed'), tone: 'accent' }, { label: t('repNoShow'), tone: 'warm' }]}
                rows={day.queues.map((q) => ({ label: <><span className="mg-prefix mg-prefix--sm" dir="ltr">{q.prefix}</span> {q.queue_name}</>, values: [q.issued, q.served, q.no_show] }))}
                format={count}
                empty={t('chartEmpty')}
              />
            </Card>
            <Card>
              <BarChart
                title={t('chartWaits')}
                series={[{ label: t('avg'), tone: 'primary' }, { label: t('median'), tone: 'accent' }, { label: t('p90'), tone: 'warm' }]}
                rows={day.queues.map((q) => ({ label: <><span className="mg-prefix mg-prefix--sm" dir="ltr">{q.prefix}</span> {q.queue_name}</>, values: [q.avg_wait_seconds, q.median_wait_seconds, q.p90_wait_seconds] }))}
                format={duration}
                empty={t('chartEmpty')}
              />
            </Card>
            <Card>
              <HourChart
                title={t('chartHours')}
                hours={day.hours.map((h) => ({ hour: h.hour, value: h.issued }))}
                label={(hour, value) => t('hourLabel', { hour, n: value })}
                empty={t('chartEmpty')}
              />
            </Card>
            <Card>
              <BarChart
                title={t('chartAgents')}
                series={[{ label: t('repServed'), tone: 'accent' }, { label: t('repNoShow'), tone: 'warm' }]}
                rows={day.agents.map((a) => ({ label: <>{a.name} <span className="mg-muted">{a.counter}</span></>, values: [a.served, a.no_show] }))}
                format={count}
                empty={t('chartEmpty')}
              />
            </Card>
          </div>

          <Card title={t('repByQueue')}>
            <TableWrap label={t('repByQueue')}>
              <table className="mg-table mg-table--num" data-report="queues">
                <caption className="sq-visually-hidden">{t('repByQueue')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('colQueue')}</th><th scope="col">{t('repIssued')}</th><th scope="col">{t('repServed')}</th><th scope="col">{t('repNoShow')}</th>
                    <th scope="col">{t('repTransferred')}</th><th scope="col">{t('repWaitTriple')}</th><th scope="col">{t('repServiceTriple')}</th><th scope="col">{t('repSla')}</th>
                  </tr>
                </thead>
                <tbody>
                  {day.queues.map((q) => (
                    <tr key={q.queue}>
                      <th scope="row"><span className="mg-prefix mg-prefix--sm" dir="ltr">{q.prefix}</span> {q.queue_name}</th>
                      <td>{q.issued}</td><td>{q.served}</td><td>{q.no_show}</td><td>{q.transferred}</td>
                      <td>{triple(q, 'wait', duration)}</td><td>{triple(q, 'service', duration)}</td>
                      <td>{formatPercent(lang, q.sla_compliance_percent)}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">{t('total')}</th>
                    <td>{day.totals.issued}</td><td>{day.totals.served}</td><td>{day.totals.no_show}</td><td>{day.totals.transferred}</td>
                    <td>{triple(day.totals, 'wait', duration)}</td><td>{triple(day.totals, 'service', duration)}</td>
                    <td>{formatPercent(lang, day.totals.sla_compliance_percent)}</td>
                  </tr>
                </tfoot>
              </table>
            </TableWrap>
          </Card>

          <Card title={t('repByAgent')}>
            <TableWrap label={t('repByAgent')}>
              <table className="mg-table mg-table--num" data-report="agents">
                <caption className="sq-visually-hidden">{t('repByAgent')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('colAgent')}</th><th scope="col">{t('colCounter')}</th><th scope="col">{t('repCalled')}</th><th scope="col">{t('repServed')}</th>
                    <th scope="col">{t('repNoShow')}</th><th scope="col">{t('repTransferred')}</th><th scope="col">{t('repWaitTriple')}</th><th scope="col">{t('repServiceTriple')}</th>
                  </tr>
                </thead>
                <tbody>
                  {day.agents.length === 0 && <tr><td colSpan={8} className="mg-empty">{t('repNoAgents')}</td></tr>}
                  {day.agents.map((a) => (
                    <tr key={a.agent}>
                      <th scope="row">{a.name}</th><td>{a.counter || '–'}</td><td>{a.called}</td><td>{a.served}</td><td>{a.no_show}</td><td>{a.transferred}</td>
                      <td>{triple(a, 'wait', duration)}</td><td>{triple(a, 'service', duration)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </Card>
        </>
      )}
    </section>
  );
}

/** "avg · median · p90" in one cell. */
function triple(row: Omit<Timing, 'issued' | 'transferred_in' | 'open'>, what: 'wait' | 'service', format: (v: number | null) => string): string {
  return what === 'wait'
    ? `${format(row.avg_wait_seconds)} · ${format(row.median_wait_seconds)} · ${format(row.p90_wait_seconds)}`
    : `${format(row.avg_service_seconds)} · ${format(row.median_service_seconds)} · ${format(row.p90_service_seconds)}`;
}

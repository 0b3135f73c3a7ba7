import { useState, type FormEvent } from 'react';
import type { z } from 'zod';
import type { AnalyticsQuery } from '../../sync/protocol/hq-analytics.contract.ts';
import { Button, Select } from '../shared/ui.tsx';
import { BarChart, ChartCard, Heatmap, HBars, LineChart } from './charts.tsx';
import { LoadState, percent, Section, useDuration, useHq, useLoad, useT } from './context.tsx';

type Filters = z.input<typeof AnalyticsQuery>;
const CHANNELS = ['kiosk', 'web', 'app', 'qr', 'whatsapp'] as const;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const daysBefore = (n: number) => ({ from: isoDay(Date.now() - n * 86_400_000), to: isoDay(Date.now()) });

export function AnalyticsPage() {
  const { api } = useHq();
  const { t } = useT();
  const duration = useDuration();
  const [filters, setFilters] = useState<Filters>(() => daysBefore(6));
  const refs = useLoad(async () => {
    const [sites, services, queues, members] = await Promise.all([
      api.call('listSites', { query: { page_size: 100 } }),
      api.call('listServices', { query: { page_size: 100 } }),
      api.call('listQueues', { query: { page_size: 100 } }),
      api.call('listMembers', { query: { page_size: 100, role: 'agent' } }),
    ]);
    return { sites: sites.results, services: services.results, queues: queues.results, agents: members.results };
  }, [api]);
  const report = useLoad(() => api.call('analytics', { query: filters }), [api, JSON.stringify(filters)]);

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => (String(form.get(name) ?? '') || undefined);
    setFilters({
      from: value('from'), to: value('to'), site: value('site'), service: value('service'), queue: value('queue'),
      channel: value('channel') as Filters['channel'], agent: value('agent'),
    });
  };
  const preset = (n: number) => setFilters((f) => ({ ...f, ...daysBefore(n) }));
  const r = report.data;
  const weekdays = t('weekdays').split(',');
  return (
    <Section
      title={t('analyticsTitle')}
      lead={t('analyticsLead')}
      actions={<Button tone="secondary" className="hq-noprint" onClick={() => window.print()}>{t('print')}</Button>}
    >
      <form className="mg-filters hq-filters hq-noprint" onSubmit={apply} key={JSON.stringify(filters)} aria-label={t('filters')}>
        <div className="sq-field"><label htmlFor="f-from">{t('from')}</label><input id="f-from" name="from" type="date" defaultValue={filters.from} /></div>
        <div className="sq-field"><label htmlFor="f-to">{t('to')}</label><input id="f-to" name="to" type="date" defaultValue={filters.to} /></div>
        <Select label={t('site')} name="site" defaultValue={filters.site ?? ''}>
          <option value="">{t('all')}</option>
          {refs.data?.sites.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </Select>
        <Select label={t('service')} name="service" defaultValue={filters.service ?? ''}>
          <option value="">{t('all')}</option>
          {refs.data?.services.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </Select>
        <Select label={t('queue')} name="queue" defaultValue={filters.queue ?? ''}>
          <option value="">{t('all')}</option>
          {refs.data?.queues.map((q) => <option key={q.id} value={q.id}>{q.prefix} · {q.name}</option>)}
        </Select>
        <Select label={t('channel')} name="channel" defaultValue={filters.channel ?? ''}>
          <option value="">{t('all')}</option>
          {CHANNELS.map((c) => <option key={c} value={c}>{c}</option>)}
        </Select>
        <Select label={t('agent')} name="agent" defaultValue={filters.agent ?? ''}>
          <option value="">{t('all')}</option>
          {refs.data?.agents.map((a) => <option key={a.id} value={a.id}>{`${a.first_name} ${a.last_name}`.trim() || a.email}</option>)}
        </Select>
        <div className="mg-filters__actions">
          <Button type="submit">{t('apply')}</Button>
          <Button tone="ghost" onClick={() => preset(0)}>{t('today')}</Button>
          <Button tone="ghost" onClick={() => preset(6)}>{t('lastWeek')}</Button>
          <Button tone="ghost" onClick={() => preset(29)}>{t('lastMonth')}</Button>
        </div>
      </form>
      <LoadState state={report}>
        {r && (
          <div className="hq-report" aria-busy={report.loading}>
            <h2 className="mg-h2 hq-print-only">{t('reportTitle', { from: r.from, to: r.to })}</h2>
            <dl className="mg-kpis mg-kpis--report hq-gap" id="hq-kpis">
              <Kpi id="arrivals" label={t('arrivals')} value={r.totals.arrivals} />
              <Kpi id="served" label={t('served')} value={r.totals.served} />
              <Kpi id="avg-wait" label={t('avgWait')} value={duration(r.totals.avg_wait_seconds)} />
              <Kpi id="median-wait" label={t('medianWait')} value={duration(r.totals.median_wait_seconds)} />
              <Kpi id="p90-wait" label={t('p90Wait')} value={duration(r.totals.p90_wait_seconds)} />
              <Kpi id="sla" label={t('slaRate')} value={percent(r.totals.sla_rate)} />
              <Kpi id="no-show" label={t('noShowRate')} value={percent(r.totals.no_show_rate)} sub={`${r.totals.no_show}`} />
              <Kpi id="abandon" label={t('abandonRate')} value={percent(r.totals.abandon_rate)} sub={`${r.totals.abandoned}`} />
              <Kpi id="avg-service" label={t('avgService')} value={duration(r.totals.avg_service_seconds)} />
              <Kpi id="csat" label={t('csat')} value={r.feedback.csat_avg ?? '–'} sub={`${t('nps')} ${r.feedback.nps ?? '–'}`} />
            </dl>
            {filters.agent && <p className="mg-muted">{t('agentFilterNote')}</p>}

            <ChartCard id="hq-daily" title={t('dailyTrend')}
              header={['day', 'arrivals', 'called', 'served', 'no_show', 'abandoned', 'sla_rate', 'avg_wait_seconds']}
              rows={r.daily.map((d) => [d.day, d.arrivals, d.called, d.served, d.no_show, d.abandoned, d.sla_rate, d.avg_wait_seconds])}>
              <BarChart label={t('dailyTrend')} labels={r.daily.map((d) => d.day)} values={r.daily.map((d) => d.arrivals)} />
            </ChartCard>

            {!filters.agent && (
              <ChartCard id="hq-heatmap" title={t('heatmap')} header={['weekday', 'hour', 'arrivals']}
                rows={r.heatmap.map((c) => [c.weekday, c.hour, c.arrivals])}>
                <Heatmap cells={r.heatmap} weekdays={weekdays} label={t('heatmap')} />
              </ChartCard>
            )}

            <div className="hq-two">
              <ChartCard id="hq-sites" title={t('compareSites')}
                header={['site', 'arrivals', 'served', 'avg_wait_seconds', 'sla_rate', 'no_show', 'abandoned']}
                rows={r.sites.map((s) => [s.site_name, s.arrivals, s.served, s.avg_wait_seconds, s.sla_rate, s.no_show, s.abandoned])}>
                <HBars label={t('compareSites')} items={r.sites.map((s) => ({ key: s.site, name: s.site_name, value: s.arrivals }))} />
                <table className="mg-table mg-table--num mg-table--dense">
                  <thead><tr><th scope="col">{t('site')}</th><th scope="col">{t('avgWait')}</th><th scope="col">{t('slaRate')}</th><th scope="col">{t('served')}</th></tr></thead>
                  <tbody>{r.sites.map((s) => <tr key={s.site}><th scope="row">{s.site_name}</th><td>{duration(s.avg_wait_seconds)}</td><td>{percent(s.sla_rate)}</td><td>{s.served}</td></tr>)}</tbody>
                </table>
              </ChartCard>
              <ChartCard id="hq-services" title={t('byService')} header={['service', 'arrivals', 'avg_wait_seconds', 'sla_rate']}
                rows={r.services.map((s) => [s.service_name, s.arrivals, s.avg_wait_seconds, s.sla_rate])}>
                <HBars label={t('byService')} items={r.services.map((s) => ({ key: s.service, name: s.service_name, value: s.arrivals }))} />
                <h3 className="mg-h2">{t('byChannel')}</h3>
                <HBars label={t('byChannel')} items={r.channels.map((c) => ({ key: c.channel, name: c.channel, value: c.arrivals }))} />
              </ChartCard>
            </div>

            <ChartCard id="hq-agents" title={t('agents')}
              header={['agent', 'called', 'served', 'no_show', 'avg_wait_seconds', 'avg_service_seconds', 'service_seconds', 'pauses', 'paused_seconds', 'pause_reasons']}
              rows={r.agents.map((a) => [a.agent_name, a.called, a.served, a.no_show, a.avg_wait_seconds, a.avg_service_seconds, a.service_seconds, a.pauses,
                a.paused_seconds, a.pause_reasons.map((p) => `${p.reason || '-'}: ${p.pauses} (${p.seconds} s)`).join('; ')])}>
              <table className="mg-table mg-table--num">
                <thead><tr><th scope="col">{t('agent')}</th><th scope="col">{t('called')}</th><th scope="col">{t('served')}</th><th scope="col">{t('noShow')}</th><th scope="col">{t('avgService')}</th><th scope="col">{t('serviceTime')}</th><th scope="col">{t('pauses')}</th><th scope="col">{t('pausedTime')}</th></tr></thead>
                <tbody>
                  {r.agents.map((a) => (
                    <tr key={a.agent}><th scope="row">{a.agent_name}</th><td>{a.called}</td><td>{a.served}</td><td>{a.no_show}</td><td>{duration(a.avg_service_seconds)}</td><td>{duration(a.service_seconds)}</td>
                      <td title={a.pause_reasons.map((p) => `${p.reason || '–'}: ${p.pauses}`).join(', ')}>{a.pauses}</td><td>{duration(a.paused_seconds)}</td></tr>
                  ))}
                </tbody>
              </table>
            </ChartCard>

            <ChartCard id="hq-feedback" title={t('feedback')} header={['day', 'responses', 'csat_avg', 'nps']}
              rows={r.feedback.daily.map((d) => [d.day, d.responses, d.csat_avg, d.nps])}>
              <dl className="mg-kpis">
                <Kpi id="fb-responses" label={t('responses')} value={r.feedback.responses} />
                <Kpi id="fb-csat" label={t('csat')} value={r.feedback.csat_avg ?? '–'} />
                <Kpi id="fb-nps" label={t('nps')} value={r.feedback.nps ?? '–'} sub={`${t('promoters')} ${r.feedback.promoters} · ${t('passives')} ${r.feedback.passives} · ${t('detractors')} ${r.feedback.detractors}`} />
              </dl>
              <LineChart label={t('csat')} labels={r.feedback.daily.map((d) => d.day)} values={r.feedback.daily.map((d) => d.csat_avg)} min={1} max={5} />
              <h3 className="mg-h2">{t('comments')}</h3>
              {r.feedback.comments.length === 0 ? <p className="mg-empty">{t('noComments')}</p> : (
                <ul className="hq-comments">
                  {r.feedback.comments.map((c) => <li key={`${c.created_at}${c.comment}`}><q>{c.comment}</q> <span className="mg-muted">{c.site_name} · {c.created_at.slice(0, 10)} · CSAT {c.csat ?? '–'} · NPS {c.nps ?? '–'}</span></li>)}
                </ul>
              )}
            </ChartCard>
          </div>
        )}
      </LoadState>
    </Section>
  );
}

function Kpi({ id, label, value, sub }: Readonly<{ id: string; label: string; value: string | number; sub?: string }>) {
  return (
    <div className="mg-kpi" id={`kpi-${id}`}>
      <dt>{label}</dt>
      <dd>{value}{sub && <span className="mg-kpi__sub">{sub}</span>}</dd>
    </div>
  );
}

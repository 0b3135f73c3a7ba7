import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { z } from 'zod';
import type { PrinterAlert } from '../../branch-server/contract/printing.contract.ts';
import type { QueueStatsDto, TicketDto } from '../../branch-server/contract/tickets.contract.ts';
import { liveUrl, openLive, type LiveState } from '../shared/live.ts';
import { Badge, Banner, Card } from '../shared/ui.tsx';
import { useManager } from './context.tsx';
import { listAll, type Agent, type Queue, type Service } from './data.ts';
import { formatDuration } from './format.ts';
import type { ManagerKey } from './i18n.ts';
import { describeFailure, Kpi, SectionHeader, TableWrap, useT, type Failure } from './kit.tsx';

type Ticket = z.output<typeof TicketDto>;
type Stats = z.output<typeof QueueStatsDto>;

/** How often the board re-reads stats and agents; queue events also trigger a read at once. */
const POLL_MS = 4_000;
const ACTIVE = new Set(['en_attente', 'appele', 'en_service', 'pause']);

export const QUEUE_STATUS_KEY: Readonly<Record<Queue['status'], ManagerKey>> = { open: 'statusOpen', paused: 'statusPaused', closed: 'statusClosed' };
export const QUEUE_STATUS_TONE = { open: 'ok', paused: 'warn', closed: 'danger' } as const;
const AGENT_STATUS_KEY: Readonly<Record<Agent['status'], ManagerKey>> = {
  available: 'agentAvailable', busy: 'agentBusy', paused: 'agentPaused', offline: 'agentOffline',
};
const AGENT_STATUS_TONE = { available: 'ok', busy: 'info', paused: 'warn', offline: 'neutral' } as const;
const ALERT_KEY: Readonly<Record<PrinterAlert['condition'], ManagerKey>> = {
  'paper-out': 'printerStatePaperOut', 'cover-open': 'printerStateCoverOpen', offline: 'printerStateOffline', 'paper-near-end': 'printerStateNearEnd',
  'status-unknown': 'printerStateUnknown', 'printed-on-fallback': 'alertPrintedOnFallback', 'print-failed': 'alertPrintFailed', recovered: 'printerStateOk',
};

/**
 * The live board: every queue's waiting, called and in-service tickets from its ws channel
 * (snapshot, then events), SLA breaches counted against the service's SLA as the clock runs, and
 * the agents with their status and ticket, re-read every few seconds and on every queue event.
 */
export function BoardSection() {
  const { api, session, tenant } = useManager();
  const { t, lang } = useT();
  const [queues, setQueues] = useState<Queue[] | null>(null);
  const [services, setServices] = useState<Service[]>([]);
  const [agents, setAgents] = useState<Agent[]>([]);
  const [stats, setStats] = useState<Record<string, Stats>>({});
  const [live, setLive] = useState<Record<string, Ticket[]>>({});
  const [states, setStates] = useState<Record<string, LiveState>>({});
  const [failure, setFailure] = useState<Failure | null>(null);
  /** The latest alert of each printer serving a kiosk of these queues; a recovery clears it. */
  const [printerAlerts, setPrinterAlerts] = useState<ReadonlyMap<string, PrinterAlert>>(new Map());
  const [now, setNow] = useState(Date.now());
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);

  const refresh = useCallback(async () => {
    try {
      const [nextQueues, nextAgents, nextServices] = await Promise.all([listAll(api, 'listQueues'), listAll(api, 'listAgents'), listAll(api, 'listServices')]);
      const pairs = await Promise.all(nextQueues.map(async (q) => [q.id, await api.call('queueStats', { params: { id: q.id } })] as const));
      setQueues(nextQueues);
      setAgents(nextAgents);
      setServices(nextServices);
      setStats(Object.fromEntries(pairs));
      setFailure(null);
    } catch (error) {
      setFailure(describeFailure(error, t));
    }
  }, [api, t]);

  // An event burst (a call closes one ticket and calls another) costs one read, not one per event.
  const refreshSoon = useCallback(() => {
    if (pending.current) clearTimeout(pending.current);
    pending.current = setTimeout(() => void refresh(), 250);
  }, [refresh]);

  useEffect(() => {
    void refresh();
    const poll = setInterval(() => void refresh(), POLL_MS);
    const clock = setInterval(() => setNow(Date.now()), 1_000);
    return () => {
      clearInterval(poll);
      clearInterval(clock);
      if (pending.current) clearTimeout(pending.current);
    };
  }, [refresh]);

  const queueIds = (queues ?? []).map((q) => q.id).sort().join(',');
  useEffect(() => {
    if (!queueIds) return;
    const channels = queueIds.split(',').map((id) => openLive({
      url: liveUrl(`/ws/tenants/${encodeURIComponent(tenant)}/queues/${id}/`, { token: session.token }),
      onState: (state) => setStates((all) => ({ ...all, [id]: state })),
      onMessage: (message) => {
        if (message.event === 'queue.snapshot') {
          setLive((all) => ({ ...all, [id]: (message['tickets'] as Ticket[]).filter((x) => ACTIVE.has(x.status)) }));
          return;
        }
        if (message.event === 'printer.alert') {
          const alert = message['alert'] as PrinterAlert;
          setPrinterAlerts((all) => {
            const next = new Map(all);
            if (alert.condition === 'recovered') next.delete(alert.printer_id);
            else next.set(alert.printer_id, alert);
            return next;
          });
          return;
        }
        const ticket = message['ticket'] as Ticket | undefined;
        if (!ticket || typeof message.event !== 'string' || !message.event.startsWith('ticket.')) return;
        setLive((all) => {
          const rest = (all[id] ?? []).filter((x) => x.id !== ticket.id);
          return { ...all, [id]: ACTIVE.has(ticket.status) && ticket.queue === id ? [...rest, ticket] : rest };
        });
        refreshSoon();
      },
    }));
    return () => channels.forEach((channel) => channel.close());
    // The token is in the URL: a refreshed token reconnects with the new one.
  }, [queueIds, tenant, session.token, refreshSoon]);

  const slaById = useMemo(() => new Map(services.map((s) => [s.id, s.sla_seconds])), [services]);
  const rows = (queues ?? []).map((queue) => {
    const tickets = states[queue.id] === 'live' ? live[queue.id] : undefined;
    const s = stats[queue.id];
    const waitingTickets = tickets?.filter((x) => x.status === 'en_attente') ?? [];
    const waits = waitingTickets.map((x) => (now - Date.parse(x.created_at)) / 1000);
    const sla = slaById.get(queue.service) ?? 0;
    return {
      queue,
      sla,
      waiting: tickets ? waitingTickets.length : s?.waiting_count ?? queue.waiting_count,
      called: tickets ? tickets.filter((x) => x.status === 'appele').length : s?.called_count ?? 0,
      inService: tickets ? tickets.filter((x) => x.status === 'en_service').length : s?.in_service_count ?? 0,
      longest: tickets ? (waits.length ? Math.max(...waits) : 0) : s?.longest_wait_seconds ?? 0,
      breaches: sla > 0 ? waits.filter((w) => w > sla).length : 0,
      served: s?.served_today ?? 0,
      avgWait: s?.avg_wait_seconds ?? null,
      activeAgents: s?.active_agents ?? 0,
    };
  });
  const totals = rows.reduce((acc, r) => ({
    waiting: acc.waiting + r.waiting, inService: acc.inService + r.inService + r.called,
    longest: Math.max(acc.longest, r.longest), breaches: acc.breaches + r.breaches, served: acc.served + r.served,
  }), { waiting: 0, inService: 0, longest: 0, breaches: 0, served: 0 });
  const reconnecting = Object.values(states).some((s) => s === 'reconnecting');
  const allLive = queueIds !== '' && (queues ?? []).every((q) => states[q.id] === 'live');
  const available = agents.filter((a) => a.status === 'available').length;
  const queueName = new Map((queues ?? []).map((q) => [q.id, q.name]));

  return (
    <section className="mg-section" aria-labelledby="section-title">
      <SectionHeader
        title={t('navBoard')}
        lead={t('boardLead')}
        actions={<span className={`mg-live${allLive ? ' is-live' : ''}`} role="status">{allLive ? t('liveOn') : reconnecting ? t('liveReconnecting') : t('liveConnecting')}</span>}
      />
      {failure && <Banner>{failure.message}</Banner>}
      {[...printerAlerts.values()].map((alert) => (
        <div key={alert.printer_id} className={`sq-banner sq-banner--${alert.blocking ? 'danger' : 'warn'} mg-alert`} role={alert.blocking ? 'alert' : 'status'}
          data-testid="board-printer-alert" data-condition={alert.condition}>
          <span>
            {t('boardPrinterAlert', { name: alert.printer_name, condition: t(ALERT_KEY[alert.condition]) })}
            {alert.blocking && alert.ticket_number ? ` ${t('boardPrinterTicket', { number: alert.ticket_number })}` : ''}
          </span>
          <a href="#/printers">{t('navPrinters')}</a>
        </div>
      ))}
      <dl className="mg-kpis">
        <Kpi label={t('kpiWaiting')} value={String(totals.waiting)} />
        <Kpi label={t('kpiAtCounter')} value={String(totals.inService)} />
        <Kpi label={t('kpiLongestWait')} value={formatDuration(lang, totals.longest)} />
        <Kpi label={t('kpiSlaBreaches')} value={String(totals.breaches)} tone={totals.breaches > 0 ? 'danger' : undefined} />
        <Kpi label={t('kpiServedToday')} value={String(totals.served)} />
        <Kpi label={t('kpiAgentsAvailable')} value={`${available} / ${agents.length}`} />
      </dl>

      <h2 className="mg-h2">{t('boardQueues')}</h2>
      {queues && queues.length === 0 && <p className="mg-empty">{t('noQueues')}</p>}
      <ul className="mg-queue-grid">
        {rows.map((r) => (
          <li key={r.queue.id} className={`mg-queue${r.breaches > 0 ? ' has-breach' : ''}`} data-queue={r.queue.id}>
            <div className="mg-queue__head">
              <span className="mg-prefix" dir="ltr">{r.queue.prefix}</span>
              <h3>{r.queue.name}</h3>
              <Badge tone={QUEUE_STATUS_TONE[r.queue.status]}>{t(QUEUE_STATUS_KEY[r.queue.status])}</Badge>
            </div>
            <p className="mg-queue__site">{r.queue.site_name}{r.sla > 0 ? ` · ${t('slaTarget', { time: formatDuration(lang, r.sla) })}` : ''}</p>
            <dl className="mg-queue__figures">
              <div className="mg-queue__main"><dt>{t('kpiWaiting')}</dt><dd className="mg-queue__waiting">{r.waiting}</dd></div>
              <div><dt>{t('called')}</dt><dd className="mg-queue__called">{r.called}</dd></div>
              <div><dt>{t('kpiInService')}</dt><dd className="mg-queue__serving">{r.inService}</dd></div>
              <div><dt>{t('kpiLongestWait')}</dt><dd>{formatDuration(lang, r.longest)}</dd></div>
              <div className={r.breaches > 0 ? 'is-breach' : ''}><dt>{t('kpiSlaBreaches')}</dt><dd className="mg-queue__breaches">{r.breaches}</dd></div>
              <div><dt>{t('kpiServedToday')}</dt><dd>{r.served}</dd></div>
            </dl>
            <p className="mg-queue__foot">{t('queueFoot', { agents: r.activeAgents, wait: formatDuration(lang, r.avgWait) })}</p>
          </li>
        ))}
      </ul>

      <h2 className="mg-h2">{t('boardAgents')}</h2>
      <Card>
        <TableWrap label={t('boardAgents')}>
          <table className="mg-table">
            <caption className="sq-visually-hidden">{t('boardAgents')}</caption>
            <thead>
              <tr><th scope="col">{t('colAgent')}</th><th scope="col">{t('colCounter')}</th><th scope="col">{t('colStatus')}</th><th scope="col">{t('colCurrentTicket')}</th><th scope="col">{t('colSince')}</th></tr>
            </thead>
            <tbody>
              {agents.length === 0 && <tr><td colSpan={5} className="mg-empty">{t('noAgents')}</td></tr>}
              {agents.map((a) => (
                <tr key={a.id} data-agent={a.id}>
                  <th scope="row">{`${a.first_name} ${a.last_name}`.trim() || a.email}</th>
                  <td>{a.counter || '–'}</td>
                  <td>
                    <Badge tone={AGENT_STATUS_TONE[a.status]}>{t(AGENT_STATUS_KEY[a.status])}</Badge>
                    {a.status_reason && <span className="mg-muted"> {a.status_reason}</span>}
                  </td>
                  <td>
                    {a.current_ticket
                      ? <><strong dir="ltr">{a.current_ticket.number}</strong> <span className="mg-muted">{queueName.get(a.current_ticket.queue) ?? ''}</span></>
                      : '–'}
                  </td>
                  <td>{formatDuration(lang, (now - Date.parse(a.status_changed_at)) / 1000)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Card>
    </section>
  );
}

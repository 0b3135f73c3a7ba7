import { useState } from 'react';
import { Badge, Banner, Button, Card } from '../shared/ui.tsx';
import { Alerts, StateBadge, stateOf, useAlerts } from './branches.tsx';
import { formatDateTime, LoadState, Section, useDuration, useHq, useLoad, useT } from './context.tsx';

/** Polling period of the live branch page: uploads reach the cloud within about a second. */
const LIVE_MS = 2_000;

export function BranchPage({ site }: Readonly<{ site: string }>) {
  const { api, can } = useHq();
  const { t, lang, formatTime } = useT();
  const duration = useDuration();
  const alerts = useAlerts();
  const [error, setError] = useState<string | null>(null);
  const state = useLoad(async () => {
    const [live, branches] = await Promise.all([
      api.call('live', { query: { site } }),
      api.call('listBranches', { query: { site, page_size: 100 } }),
    ]);
    return { live: live[0]!, devices: branches.results };
  }, [api, site], LIVE_MS);
  const revoke = async (id: string, name: string) => {
    if (!window.confirm(t('confirmRevoke', { name }))) return;
    try {
      await api.call('revokeBranch', { params: { id } });
      setError(null);
      state.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const d = state.data;
  return (
    <Section title={d?.live.site_name ?? t('site')} lead={t('branchLead')} actions={<a href="#/branches">{t('backToBranches')}</a>}>
      {error && <Banner>{error}</Banner>}
      <LoadState state={state}>
        {d && (
          <>
            <p className="mg-muted" aria-live="polite">
              <StateBadge state={stateOf(d.devices)} /> {state.at ? t('updatedAt', { time: formatTime(state.at) }) : ''} · {d.live.day} ({d.live.timezone})
            </p>
            <dl className="mg-kpis hq-gap">
              <div className="mg-kpi"><dt>{t('waitingNow')}</dt><dd id="hq-live-waiting">{d.live.waiting}</dd></div>
              <div className="mg-kpi"><dt>{t('calledNow')}</dt><dd>{d.live.called}</dd></div>
              <div className="mg-kpi"><dt>{t('arrivalsToday')}</dt><dd>{d.live.arrivals_today}</dd></div>
              <div className="mg-kpi"><dt>{t('servedToday')}</dt><dd>{d.live.served_today}</dd></div>
              <div className="mg-kpi"><dt>{t('noShowToday')}</dt><dd>{d.live.no_show_today}</dd></div>
              <div className="mg-kpi"><dt>{t('longestWait')}</dt><dd>{duration(d.live.longest_wait_seconds)}</dd></div>
            </dl>
            <h2 className="mg-h2">{t('liveQueues')}</h2>
            <div className="mg-table-wrap">
              <table className="mg-table mg-table--num" id="hq-live-queues">
                <thead>
                  <tr>
                    <th scope="col">{t('queue')}</th><th scope="col">{t('service')}</th><th scope="col">{t('status')}</th>
                    <th scope="col">{t('waitingNow')}</th><th scope="col">{t('calledNow')}</th><th scope="col">{t('servedToday')}</th>
                    <th scope="col">{t('longestWait')}</th><th scope="col">{t('nextNumbers')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.live.queues.map((q) => (
                    <tr key={q.queue} data-queue={q.queue}>
                      <th scope="row">{q.prefix} · {q.queue_name}</th>
                      <td>{q.service_name}</td>
                      <td><Badge tone={q.status === 'open' ? 'ok' : 'warn'}>{q.status}</Badge></td>
                      <td className="hq-waiting">{q.waiting}</td>
                      <td>{q.called}</td>
                      <td>{q.served_today}</td>
                      <td>{duration(q.longest_wait_seconds)}</td>
                      <td className="hq-next">{q.next_numbers.join(' ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <SealedDays site={site} />
            <Card title={t('devices')} className="hq-gap">
              {d.devices.length === 0 ? <p className="mg-empty">{t('notEnrolled')}</p> : (
                <div className="mg-table-wrap">
                  <table className="mg-table mg-table--num">
                    <thead>
                      <tr>
                        <th scope="col">{t('device')}</th><th scope="col">{t('state')}</th><th scope="col">{t('lastSync')}</th>
                        <th scope="col">{t('backlog')}</th><th scope="col">{t('version')}</th><th scope="col">{t('lastBackup')}</th><th scope="col">{t('alerts')}</th><th scope="col"><span className="mg-muted">{t('revoke')}</span></th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.devices.map((dev) => (
                        <tr key={dev.id} data-device={dev.id}>
                          <th scope="row">{dev.name}<span className="mg-block mg-muted">{dev.id}</span></th>
                          <td><StateBadge state={dev.revoked ? 'revoked' : dev.online ? 'online' : 'offline'} /></td>
                          <td>{dev.last_sync_at ? formatDateTime(dev.last_sync_at, lang) : t('never')}</td>
                          <td>{dev.outbox_depth}</td>
                          <td>{dev.app_version || '–'}</td>
                          <td className="hq-backup">{dev.last_backup_at ? formatDateTime(dev.last_backup_at, lang) : t('never')}</td>
                          <td className="hq-alerts-cell"><Alerts list={alerts(dev)} /></td>
                          <td>{can('admin') && !dev.revoked && <Button tone="danger" onClick={() => void revoke(dev.id, dev.name)}>{t('revoke')}</Button>}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </Card>
          </>
        )}
      </LoadState>
    </Section>
  );
}

/** The branch's recent sealed days, as it uploaded them at closing time. */
function SealedDays({ site }: Readonly<{ site: string }>) {
  const { api } = useHq();
  const { t, lang } = useT();
  const duration = useDuration();
  const days = useLoad(() => api.call('listDaySummaries', { query: { site, page_size: 14 } }), [api, site], 60_000);
  return (
    <Card title={t('sealedDays')} className="hq-gap">
      <LoadState state={days}>
        {days.data && (days.data.results.length === 0 ? <p className="mg-empty">{t('noSealedDays')}</p> : (
          <div className="mg-table-wrap">
            <table className="mg-table mg-table--num" id="hq-days">
              <thead>
                <tr>
                  <th scope="col">{t('day')}</th><th scope="col">{t('arrivals')}</th><th scope="col">{t('served')}</th><th scope="col">{t('noShow')}</th>
                  <th scope="col">{t('expiredAtClose')}</th><th scope="col">{t('avgWait')}</th><th scope="col">{t('maxWait')}</th>
                  <th scope="col">{t('appointmentsDay')}</th><th scope="col">{t('sealedAt')}</th>
                </tr>
              </thead>
              <tbody>
                {days.data.results.map((d) => (
                  <tr key={d.id} data-day={d.business_date}>
                    <th scope="row">{d.business_date}</th>
                    <td className="hq-day-issued">{d.tickets_issued}</td>
                    <td className="hq-day-served">{d.tickets_served}</td>
                    <td>{d.tickets_no_show}</td>
                    <td>{d.tickets_expired}</td>
                    <td>{duration(d.avg_wait_seconds)}</td>
                    <td>{duration(d.max_wait_seconds)}</td>
                    <td>{t('appointmentsOf', { booked: d.appointments_booked, checked: d.appointments_checked_in, missed: d.appointments_no_show })}</td>
                    <td>{formatDateTime(d.sealed_at, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      </LoadState>
    </Card>
  );
}

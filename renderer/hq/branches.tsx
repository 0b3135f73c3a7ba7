import type { BranchDto } from '../../sync/protocol/hq-branches.contract.ts';
import type { DeviceAlert } from '../../sync/protocol/messages.ts';
import type { LiveSiteDto } from '../../sync/protocol/hq-analytics.contract.ts';
import { Badge, Card } from '../shared/ui.tsx';
import { formatDateTime, LoadState, Section, useDuration, useHq, useLoad, useT } from './context.tsx';
import type { HqKey } from './i18n.ts';

export type BranchState = 'online' | 'offline' | 'revoked' | 'notEnrolled';

/** A site's state from its appliances: online if any is, otherwise offline, revoked or never enrolled. */
export function stateOf(devices: readonly BranchDto[]): BranchState {
  const active = devices.filter((d) => !d.revoked);
  if (active.some((d) => d.online)) return 'online';
  if (active.length > 0) return 'offline';
  return devices.length > 0 ? 'revoked' : 'notEnrolled';
}

const TONE: Record<BranchState, 'ok' | 'danger' | 'warn' | 'neutral'> = { online: 'ok', offline: 'danger', revoked: 'warn', notEnrolled: 'neutral' };

export function StateBadge({ state }: Readonly<{ state: BranchState }>) {
  const { t } = useT();
  return <Badge tone={TONE[state]}>{t(state as HqKey)}</Badge>;
}

export type Alert = Readonly<{ text: string; tone: 'warn' | 'danger'; kind: 'sync' | 'printer' | 'display' | 'backup' }>;

/** A verified backup older than this (the branch takes one every 15 minutes and nightly) is worth a look. */
const BACKUP_STALE_MS = 26 * 3_600_000;

const CONDITION: Record<DeviceAlert['condition'], HqKey> = {
  offline: 'condOffline', 'paper-out': 'condPaperOut', 'paper-near-end': 'condPaperNearEnd', 'cover-open': 'condCoverOpen', error: 'condError',
};

/**
 * Alerts HQ can see from what a branch reports: rejected rows, backlog, clock drift, its printers
 * and displays needing staff, and a failed or old backup.
 */
export function useAlerts(): (d: BranchDto, now?: number) => Alert[] {
  const { t } = useT();
  const duration = useDuration();
  return (d, now = Date.now()) => [
    ...d.device_alerts.map((a): Alert => ({
      kind: a.kind, tone: a.condition === 'paper-near-end' ? 'warn' : 'danger',
      text: t(a.kind === 'printer' ? 'printerAlert' : 'displayAlert', { name: a.name, condition: t(CONDITION[a.condition]) }),
    })),
    ...(d.last_backup_ok === false ? [{ kind: 'backup', tone: 'danger', text: t('backupFailed') } as const] : []),
    ...(d.last_backup_ok !== false && d.last_backup_at !== null && now - Date.parse(d.last_backup_at) > BACKUP_STALE_MS
      ? [{ kind: 'backup', tone: 'warn', text: t('backupOld') } as const] : []),
    ...(d.rows_rejected > 0 ? [{ kind: 'sync', tone: 'warn', text: t('rejectedRows', { count: d.rows_rejected }) } as const] : []),
    ...(d.outbox_depth > 0 ? [{ kind: 'sync', tone: 'warn', text: `${t('backlog')}: ${d.outbox_depth}${d.oldest_unsent_ms ? ` (${duration(Math.round(d.oldest_unsent_ms / 1000))})` : ''}` } as const] : []),
    ...(d.clock_offset_ms !== null && Math.abs(d.clock_offset_ms) > 60_000
      ? [{ kind: 'sync', tone: 'warn', text: `${t('clockOffset')}: ${duration(Math.round(Math.abs(d.clock_offset_ms) / 1000))}` } as const] : []),
  ];
}

export function Alerts({ list }: Readonly<{ list: readonly Alert[] }>) {
  if (list.length === 0) return <>–</>;
  return <ul className="hq-alerts">{list.map((a) => <li key={a.text} data-alert={a.kind}><Badge tone={a.tone}>{a.text}</Badge></li>)}</ul>;
}

/** The newest verified backup among a site's appliances, as reported. */
export function LastBackup({ devices }: Readonly<{ devices: readonly BranchDto[] }>) {
  const { t, lang } = useT();
  const newest = devices.map((d) => d.last_backup_at).filter((v): v is string => v !== null).sort().at(-1);
  return <span className="hq-backup">{newest ? formatDateTime(newest, lang) : t('never')}</span>;
}

export function BranchesPage() {
  const { api } = useHq();
  const { t, lang } = useT();
  const duration = useDuration();
  const alerts = useAlerts();
  const state = useLoad(async () => {
    const [branches, live] = await Promise.all([
      api.call('listBranches', { query: { page_size: 100 } }),
      api.call('live', { query: {} }),
    ]);
    return { branches: branches.results, live };
  }, [api], 5_000);
  return (
    <Section title={t('branchesTitle')} lead={t('branchesLead')}>
      <LoadState state={state}>
        {state.data && (
          <>
            <Card title={t('mapTitle')}>
              <BranchMap sites={state.data.live} branches={state.data.branches} />
            </Card>
            <div className="mg-table-wrap hq-gap">
              <table className="mg-table mg-table--num" id="hq-branches">
                <thead>
                  <tr>
                    <th scope="col">{t('site')}</th><th scope="col">{t('state')}</th><th scope="col">{t('alerts')}</th><th scope="col">{t('lastSync')}</th>
                    <th scope="col">{t('backlog')}</th><th scope="col">{t('version')}</th><th scope="col">{t('clockOffset')}</th>
                    <th scope="col">{t('waitingNow')}</th><th scope="col">{t('servedToday')}</th><th scope="col">{t('longestWait')}</th>
                    <th scope="col">{t('lastBackup')}</th>
                  </tr>
                </thead>
                <tbody>
                  {state.data.live.map((site) => {
                    const devices = state.data!.branches.filter((b) => b.site === site.site);
                    const active = devices.filter((d) => !d.revoked);
                    const latest = [...active].sort((a, b) => (b.last_sync_at ?? '').localeCompare(a.last_sync_at ?? ''))[0];
                    const list = active.flatMap((d) => alerts(d));
                    return (
                      <tr key={site.site} data-site={site.site}>
                        <th scope="row"><a href={`#/branch/${site.site}`}>{site.site_name}</a></th>
                        <td><StateBadge state={stateOf(devices)} /></td>
                        <td className="hq-alerts-cell"><Alerts list={list} /></td>
                        <td>{latest?.last_sync_at ? formatDateTime(latest.last_sync_at, lang) : t('never')}</td>
                        <td>{active.reduce((a, d) => a + d.outbox_depth, 0)}</td>
                        <td>{latest?.app_version || '–'}</td>
                        <td>{latest?.clock_offset_ms === null || latest === undefined ? '–' : `${Math.round(latest.clock_offset_ms / 100) / 10} s`}</td>
                        <td className="hq-waiting">{site.waiting}</td>
                        <td className="hq-served">{site.served_today}</td>
                        <td>{duration(site.longest_wait_seconds)}</td>
                        <td><LastBackup devices={active} /></td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </>
        )}
      </LoadState>
    </Section>
  );
}

const W = 800;
const H = 420;
const PAD = 50;

/**
 * The branches drawn from their coordinates alone (equirectangular, scaled to fit): no tiles, no
 * network. Each marker links to the branch page and shows how many are waiting there now.
 */
export function BranchMap({ sites, branches }: Readonly<{ sites: readonly LiveSiteDto[]; branches: readonly BranchDto[] }>) {
  const { t } = useT();
  const placed = sites.filter((s) => s.latitude !== null && s.longitude !== null);
  if (placed.length === 0) return <p className="mg-empty">{t('none')}</p>;
  const lats = placed.map((s) => s.latitude!);
  const lons = placed.map((s) => s.longitude!);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const kx = Math.cos((midLat * Math.PI) / 180);
  const spanX = Math.max((Math.max(...lons) - Math.min(...lons)) * kx, 2);
  const spanY = Math.max(Math.max(...lats) - Math.min(...lats), 2);
  const scale = Math.min((W - 2 * PAD) / spanX, (H - 2 * PAD) / spanY);
  const cx = (Math.min(...lons) + Math.max(...lons)) / 2;
  const cy = midLat;
  const x = (lon: number) => W / 2 + (lon - cx) * kx * scale;
  const y = (lat: number) => H / 2 - (lat - cy) * scale;
  const step = spanY > 40 || spanX > 40 ? 10 : spanY > 10 || spanX > 10 ? 5 : 1;
  const lines: number[] = [];
  for (let v = -180; v <= 180; v += step) lines.push(v);
  return (
    <svg className="hq-map" viewBox={`0 0 ${W} ${H}`} role="group" aria-label={t('mapLabel', { count: placed.length })}>
      <rect width={W} height={H} className="hq-map__sea" aria-hidden="true" />
      {lines.filter((lat) => y(lat) > 0 && y(lat) < H).map((lat) => (
        <g key={`lat${lat}`}><line x1={0} x2={W} y1={y(lat)} y2={y(lat)} className="hq-map__grid" /><text x={4} y={y(lat) - 3} className="hq-map__tick">{lat}°</text></g>
      ))}
      {lines.filter((lon) => x(lon) > 0 && x(lon) < W).map((lon) => (
        <g key={`lon${lon}`}><line y1={0} y2={H} x1={x(lon)} x2={x(lon)} className="hq-map__grid" /><text y={H - 4} x={x(lon) + 3} className="hq-map__tick">{lon}°</text></g>
      ))}
      {placed.map((s) => {
        const state = stateOf(branches.filter((b) => b.site === s.site));
        return (
          <a key={s.site} href={`#/branch/${s.site}`} aria-label={`${s.site_name} · ${s.waiting} (${t(state as HqKey)}, ${t('waitingNow')})`}>
            <circle cx={x(s.longitude!)} cy={y(s.latitude!)} r={9 + Math.min(14, Math.sqrt(s.waiting) * 2)} className={`hq-map__dot hq-map__dot--${state}`} />
            <text x={x(s.longitude!) + 16} y={y(s.latitude!) + 5} className="hq-map__label">{s.site_name} · {s.waiting}</text>
          </a>
        );
      })}
    </svg>
  );
}

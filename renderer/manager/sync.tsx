import { useEffect, useState, type FormEvent } from 'react';
import type { SyncStatusDto } from '../../branch-server/contract/sync.contract.ts';
import type { BackupListDto } from '../../branch-server/contract/backups.contract.ts';
import { Badge, Banner, Button, Card, Field } from '../shared/ui.tsx';
import { useManager } from './context.tsx';
import { formatDateTime, formatDuration, formatNumber } from './format.ts';
import type { ManagerKey } from './i18n.ts';
import { AdminOnly, FormError, Kpi, SectionHeader, useLoad, useSubmit, useT, useToast } from './kit.tsx';

const STATE_TONE: Readonly<Record<SyncStatusDto['state'], 'ok' | 'warn' | 'danger' | 'neutral' | 'info'>> = {
  online: 'ok', offline: 'warn', error: 'danger', enrolling: 'info', not_enrolled: 'neutral',
};
const STATE_LABEL: Readonly<Record<SyncStatusDto['state'], ManagerKey>> = {
  online: 'syncOnline', offline: 'syncOffline', error: 'syncError', enrolling: 'syncEnrolling', not_enrolled: 'syncNotEnrolled',
};
const POLL_MS = 2_000;
/** Failures a manager can act on, in their language; anything else as the branch server words it. */
const ERROR_TEXT: Readonly<Record<string, ManagerKey>> = {
  'unreachable': 'syncErrUnreachable', 'device-revoked': 'syncErrRevoked', 'protocol-unsupported': 'syncErrProtocol', 'stuck': 'syncErrStuck',
};

function errorText(s: SyncStatusDto, t: ReturnType<typeof useT>['t']): string {
  const key = s.last_error_code ? ERROR_TEXT[s.last_error_code] ?? (s.last_error_code.startsWith('http-5') ? 'syncErrCloudFailing' : null) : null;
  return key ? t(key) : s.last_error ?? '';
}

/**
 * Sync with HQ's cloud: whether the branch is connected, what waits to be uploaded (with a progress
 * bar while a backlog drains after an outage), what HQ refused, and enrollment for a new branch.
 */
export function SyncSection() {
  const { api, can } = useManager();
  const { t, lang } = useT();
  const [tick, setTick] = useState(0);
  const status = useLoad(() => api.call('syncStatus'), [api, tick]);
  const [enrolled, setEnrolled] = useState<SyncStatusDto | null>(null);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), POLL_MS);
    return () => clearInterval(timer);
  }, []);
  const s = status.data;
  const admin = can('manage:settings');
  const revoked = s?.last_error_code === 'device-revoked';
  const canEnroll = admin && s !== null && (s.state === 'not_enrolled' || revoked);

  return (
    <section className="mg-section" aria-labelledby="section-title">
      <SectionHeader title={t('navSync')} lead={t('syncLead')} />
      {status.failure && <Banner>{status.failure.message}</Banner>}
      {enrolled && (
        <Banner tone="info">
          <p>{t('syncEnrolledNotice', { tenant: enrolled.tenant?.name ?? '', site: enrolled.site?.name ?? '' })}</p>
        </Banner>
      )}
      {s && (
        <>
          <Card title={t('syncConnection')}>
            <p className="mg-sync__state" aria-live="polite">
              <Badge tone={STATE_TONE[s.state]}>{t(STATE_LABEL[s.state])}</Badge>
              {s.syncing && <span className="mg-muted">{t('syncRunning')}</span>}
            </p>
            {s.last_error && s.state !== 'online' && <Banner tone={s.state === 'error' ? 'danger' : 'warn'}>{errorText(s, t)}</Banner>}
            {s.state !== 'not_enrolled' && (
              <dl className="mg-sync__facts">
                <dt>{t('syncTenant')}</dt><dd>{s.tenant ? `${s.tenant.name} (${s.tenant.slug})` : '–'}</dd>
                <dt>{t('syncSite')}</dt><dd>{s.site?.name ?? '–'}</dd>
                <dt>{t('syncCloud')}</dt><dd><bdi dir="ltr">{s.cloud_url ?? '–'}</bdi></dd>
                <dt>{t('syncLastPush')}</dt><dd>{formatDateTime(lang, s.last_push_at)}</dd>
                <dt>{t('syncLastPull')}</dt><dd>{formatDateTime(lang, s.last_pull_at)}</dd>
                <dt>{t('syncClockOffset')}</dt>
                <dd>{s.clock_offset_ms === null ? '–' : t('syncClockOffsetValue', { seconds: formatNumber(lang, s.clock_offset_ms / 1000, 1) })}</dd>
              </dl>
            )}
          </Card>
          <h2 className="mg-h2">{t('syncBacklog')}</h2>
          <dl className="mg-kpis">
            <Kpi label={t('syncWaiting')} value={formatNumber(lang, s.outbox_depth)} />
            <Kpi label={t('syncOldest')} value={formatDuration(lang, s.oldest_unsent_age_ms === null ? null : s.oldest_unsent_age_ms / 1000)} />
            <Kpi label={t('syncPullLag')} value={s.pull_lag === null ? '–' : formatNumber(lang, s.pull_lag)} />
            <Kpi label={t('syncRejected')} value={formatNumber(lang, s.rejected_count)} sub={s.rejected_count > 0 ? t('syncRejectedHint') : undefined}
              tone={s.rejected_count > 0 ? 'danger' : undefined} />
          </dl>
          <Drain status={s} />
        </>
      )}
      {canEnroll && <EnrollForm revoked={revoked} onEnrolled={(next) => {
        setEnrolled(next);
        setTick((n) => n + 1);
      }} />}
      {s && !admin && s.state === 'not_enrolled' && <AdminOnly>{t('syncEnrollAdminOnly')}</AdminOnly>}
      <Backups tick={tick} />
    </section>
  );
}

/** While a backlog drains: how much of it is uploaded already. */
function Drain({ status }: Readonly<{ status: SyncStatusDto }>) {
  const { t, lang } = useT();
  if (status.drain_total === null || status.outbox_depth === 0) return null;
  const total = Math.max(status.drain_total, status.outbox_depth);
  const sent = total - status.outbox_depth;
  const label = t('syncDrainProgress', { sent: formatNumber(lang, sent), total: formatNumber(lang, total) });
  return (
    <div className="mg-sync__drain">
      <label htmlFor="sync-drain">{t('syncDraining')}</label>
      <progress id="sync-drain" max={total} value={sent} aria-valuetext={label} />
      <p className="mg-muted">{label}</p>
    </div>
  );
}

function EnrollForm({ revoked, onEnrolled }: Readonly<{ revoked: boolean; onEnrolled: (status: SyncStatusDto) => void }>) {
  const { api } = useManager();
  const { t } = useT();
  const notify = useToast();
  const [draft, setDraft] = useState({ cloud_url: '', token: '' });
  const { busy, failure, run, fieldError } = useSubmit();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const status = await run(() => api.call('enrollBranch', { body: draft }));
    if (!status) return;
    notify(t('syncEnrolled', { tenant: status.tenant?.name ?? '' }));
    setDraft({ cloud_url: '', token: '' });
    onEnrolled(status);
  };

  return (
    <Card className="mg-sync__enroll" title={revoked ? t('syncReenrollTitle') : t('syncEnrollTitle')}>
      <p className="mg-muted">{t('syncEnrollLead')}</p>
      <form className="mg-form" onSubmit={submit} noValidate>
        <FormError failure={failure} />
        <Field label={t('syncCloudUrl')} type="url" required dir="ltr" placeholder="https://hq.example.com" value={draft.cloud_url}
          onChange={(e) => setDraft({ ...draft, cloud_url: e.target.value })} error={fieldError('cloud_url')} />
        <Field label={t('syncToken')} hint={t('syncTokenHint')} required dir="ltr" autoComplete="off" spellCheck={false} value={draft.token}
          onChange={(e) => setDraft({ ...draft, token: e.target.value })} error={fieldError('token')} />
        <div className="mg-form__actions">
          <Button type="submit" disabled={busy}>{busy ? t('syncEnrolling') : t('syncEnroll')}</Button>
        </div>
      </form>
    </Card>
  );
}

/** The branch's verified backups: the last good one (also reported to HQ), failures, and "back up now" for admins. */
function Backups({ tick }: Readonly<{ tick: number }>) {
  const { api, can } = useManager();
  const { t, lang } = useT();
  const notify = useToast();
  const [taken, setTaken] = useState(0);
  // Every fifth poll: the folder does not change often.
  const list = useLoad(() => api.call('listBackups'), [api, Math.floor(tick / 5), taken]);
  const { busy, failure, run } = useSubmit();
  const b: BackupListDto | null = list.data;
  const takeNow = async () => {
    const record = await run(() => api.call('takeBackup', { body: {} }));
    if (!record) return;
    notify(t('backupTaken', { file: record.file }));
    setTaken((n) => n + 1);
  };
  return (
    <Card className="mg-backups" title={t('backupTitle')}>
      {list.failure && <Banner>{list.failure.message}</Banner>}
      {b && (
        <>
          <p className="mg-muted">{t('backupLead', { minutes: String(b.interval_minutes), dir: b.dir })}</p>
          {b.last_failure && <Banner tone="danger">{t('backupFailed', { error: b.last_failure.error })}</Banner>}
          {b.last_good ? (
            <dl className="mg-sync__facts" data-testid="backup-last-good">
              <dt>{t('backupLastGood')}</dt><dd>{formatDateTime(lang, b.last_good.started_at)}</dd>
              <dt>{t('backupFile')}</dt><dd><bdi dir="ltr">{b.last_good.file}</bdi></dd>
              <dt>{t('backupTickets')}</dt><dd>{formatNumber(lang, b.last_good.tickets)}</dd>
              <dt>{t('backupCount')}</dt><dd>{formatNumber(lang, b.results.length)}</dd>
            </dl>
          ) : <p>{t('backupNone')}</p>}
          {b.last_reported_to_hq_at && <p className="mg-muted">{t('backupReported', { at: formatDateTime(lang, b.last_reported_to_hq_at) })}</p>}
          {can('manage:settings') && (
            <div className="mg-form__actions">
              <FormError failure={failure} />
              <Button type="button" disabled={busy} onClick={() => void takeNow()}>{busy ? t('backupTaking') : t('backupNow')}</Button>
            </div>
          )}
        </>
      )}
    </Card>
  );
}

import type { QueueDto } from '../../branch-server/contract/queues.contract.ts';
import { useI18n } from '../shared/i18n.tsx';
import { Banner, Spinner } from '../shared/ui.tsx';
import { ScreenTitle, Unavailable } from './frame.tsx';
import type { KioskKey } from './i18n.ts';
import type { KioskData } from './use-kiosk-data.ts';

function unavailableReason(queue: QueueDto): KioskKey | null {
  if (queue.status === 'closed') return 'closed';
  if (queue.max_capacity > 0 && queue.waiting_count >= queue.max_capacity) return 'full';
  return null;
}

/** The services offered as large tiles: people waiting and the wait a new ticket would have. */
export function ServicesScreen(props: Readonly<{ data: KioskData; notice: KioskKey | null; onChoose: (queue: QueueDto) => void }>) {
  const { t } = useI18n<KioskKey>();
  const { data } = props;
  const many = data.services.length > 4;
  return (
    <div className="kiosk-services">
      <ScreenTitle>{t('servicesTitle')}</ScreenTitle>
      <p className="kiosk__lead">{t('servicesHint')}</p>
      {props.notice && <Banner tone="warn">{t(props.notice)}</Banner>}
      {data.state === 'error' && <Unavailable onRetry={() => void data.refresh()} />}
      {data.state === 'loading' && !data.config && <div className="kiosk-center"><Spinner label={t('loading')} /></div>}
      {data.state === 'ready' && data.services.length === 0 && <Banner tone="info">{t('noServices')}</Banner>}
      {data.state === 'ready' && (
        <ul className={`kiosk-tiles${many ? ' kiosk-tiles--many' : ''}`}>
          {data.services.map((queue) => <ServiceTile key={queue.id} queue={queue} onChoose={props.onChoose} />)}
        </ul>
      )}
    </div>
  );
}

function ServiceTile({ queue, onChoose }: Readonly<{ queue: QueueDto; onChoose: (queue: QueueDto) => void }>) {
  const { t, formatMinutes } = useI18n<KioskKey>();
  const reason = unavailableReason(queue);
  const eta = queue.waiting_count === 0 && queue.eta_seconds < 60 ? t('noWait') : formatMinutes(queue.eta_seconds);
  return (
    <li>
      <button type="button" className="kiosk-tile" disabled={reason !== null} onClick={() => onChoose(queue)} data-queue={queue.id}>
        <span className="kiosk-tile__prefix" aria-hidden="true">{queue.prefix}</span>
        <span className="kiosk-tile__body">
          <span className="kiosk-tile__name">{queue.name}</span>
          {reason ? (
            <span className="kiosk-tile__closed">{t(reason)}</span>
          ) : (
            <span className="kiosk-tile__stats">
              <span className="kiosk-stat">
                <span className="kiosk-stat__label">{t('waiting')}</span>
                <span className="kiosk-stat__value" data-waiting={queue.waiting_count}>{queue.waiting_count}</span>
              </span>
              <span className="kiosk-stat">
                <span className="kiosk-stat__label">{t('estimatedWait')}</span>
                <span className="kiosk-stat__value">{eta}</span>
              </span>
            </span>
          )}
        </span>
        <span className="kiosk-tile__chevron" aria-hidden="true">
          <svg viewBox="0 0 24 24" width="40" height="40" focusable="false"><path d="M9 5l7 7-7 7" fill="none" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" strokeLinejoin="round" /></svg>
        </span>
      </button>
    </li>
  );
}

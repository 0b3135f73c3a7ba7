import { useEffect, useState } from 'react';
import { createApi, ApiError } from '../shared/api.ts';
import { useI18n } from '../shared/i18n.tsx';
import { LanguageSwitch } from '../shared/language-switch.tsx';
import { liveUrl, openLive, type LiveState } from '../shared/live.ts';
import { Badge, Banner, Button, Spinner } from '../shared/ui.tsx';
import type { TrackKey } from './i18n.ts';
import { refreshDelayMs } from './refresh.ts';
import './track.css';

type PublicTicket = Readonly<{
  number: string; status: string; position: number | null; eta_seconds: number | null; eta_p90_seconds: number | null;
  queue_name: string; site_name: string; counter: string; created_at: string; remote?: boolean;
}>;

const api = createApi({ tenant: null, credentials: () => ({ kind: 'none' }) });

/** The customer's phone page: no login, live position and ETA, "your turn" with the counter, then feedback. */
export function TrackPage({ publicId }: Readonly<{ publicId: string }>) {
  const { t } = useI18n<TrackKey>();
  const [ticket, setTicket] = useState<PublicTicket | null>(null);
  const [missing, setMissing] = useState(false);
  const [live, setLive] = useState<LiveState>('connecting');

  useEffect(() => {
    let cancelled = false;
    api.call('publicTicket', { params: { public_id: publicId } })
      .then((found) => !cancelled && setTicket(found))
      .catch((error: unknown) => !cancelled && error instanceof ApiError && error.status === 404 && setMissing(true));
    const channel = openLive({
      url: liveUrl(`/ws/public/tickets/${encodeURIComponent(publicId)}/`),
      onState: setLive,
      onMessage: (message) => {
        if (message.type === 'connection' || message.type === 'ticket_updated') setTicket(message['ticket'] as PublicTicket);
      },
    });
    return () => {
      cancelled = true;
      channel.close();
    };
  }, [publicId]);

  // Without the live channel (the page reached through the cloud has none, or the link dropped),
  // the ticket is read again, sooner as its turn nears (refresh.ts), and at once when the phone
  // shows the page again (a page in the background is not refreshed).
  const delay = live === 'live' || missing ? null : refreshDelayMs(ticket);
  useEffect(() => {
    if (delay === null) return undefined;
    let cancelled = false;
    const read = () => {
      api.call('publicTicket', { params: { public_id: publicId } }).then((found) => !cancelled && setTicket(found), () => undefined);
    };
    const timer = setInterval(read, delay);
    const onVisible = () => {
      if (document.visibilityState === 'visible') read();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      cancelled = true;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [delay, publicId]);

  useEffect(() => {
    document.title = ticket ? `${ticket.number} — ${t('title')}` : t('title');
  }, [ticket, t]);

  return (
    <main className="track">
      <header className="track__top">
        <h1 className="track__brand">{t('title')}</h1>
        <LanguageSwitch label={t('language')} />
      </header>
      {live === 'reconnecting' && <p className="track__reconnecting" role="status">{t('reconnecting')}</p>}
      {missing && <Banner>{t('notFound')}</Banner>}
      {!missing && !ticket && <div className="track__loading"><Spinner label={t('loading')} /></div>}
      {ticket && <TicketView ticket={ticket} publicId={publicId} />}
    </main>
  );
}

function TicketView({ ticket, publicId }: Readonly<{ ticket: PublicTicket; publicId: string }>) {
  const { t, formatMinutes, formatTime } = useI18n<TrackKey>();
  const called = ticket.status === 'appele';
  return (
    <>
      <section className={`track__card${called ? ' is-called' : ''}`} aria-live="polite">
        <p className="track__label">{t('ticket')}</p>
        <p className="track__number" dir="ltr">{ticket.number}</p>
        <p className="track__queue">{ticket.queue_name} · {ticket.site_name}</p>
        <p className="track__muted">{t('takenAt', { time: formatTime(ticket.created_at) })}</p>
        {ticket.status === 'en_attente' && (
          <>
            <Badge tone="info">{t('waiting')}</Badge>
            {ticket.remote && <p className="track__remote" data-testid="remote-hint">{t('remoteHint')}</p>}
            <p className="track__ahead">{ticket.position !== null && ticket.position > 1 ? t('ahead', { n: ticket.position - 1 }) : t('aheadNone')}</p>
            <p className="track__eta">
              <span>{t('eta')}</span>
              <strong>{formatMinutes(ticket.eta_seconds)}</strong>
              {ticket.eta_p90_seconds !== null && ticket.eta_seconds !== null && ticket.eta_p90_seconds > ticket.eta_seconds && (
                <small>{t('etaRange', { low: formatMinutes(ticket.eta_seconds), high: formatMinutes(ticket.eta_p90_seconds) })}</small>
              )}
            </p>
          </>
        )}
        {called && (
          <div className="track__turn" role="alert">
            <p className="track__turn-title">{t('yourTurn')}</p>
            <p className="track__turn-counter">{t('goTo', { counter: ticket.counter })}</p>
          </div>
        )}
        {ticket.status === 'en_service' && <Badge tone="ok">{t('inService')}</Badge>}
        {ticket.status === 'pause' && <Badge tone="warn">{t('paused')}</Badge>}
        {ticket.status === 'no_show' && <Banner tone="warn">{t('noShow')} {t('noShowHint')}</Banner>}
        {ticket.status === 'clos' && <p className="track__closed">{t('closed')}</p>}
      </section>
      {ticket.status === 'clos' && <FeedbackForm publicId={publicId} />}
    </>
  );
}

function FeedbackForm({ publicId }: Readonly<{ publicId: string }>) {
  const { t } = useI18n<TrackKey>();
  const [csat, setCsat] = useState<number | null>(null);
  const [nps, setNps] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [state, setState] = useState<'idle' | 'sending' | 'sent' | 'error'>('idle');

  if (state === 'sent') return <Banner tone="ok">{t('thanks')}</Banner>;
  const submit = async () => {
    setState('sending');
    try {
      await api.call('publicFeedback', {
        params: { public_id: publicId },
        body: { ...(csat === null ? {} : { csat }), ...(nps === null ? {} : { nps }), comment },
      });
      setState('sent');
    } catch (error) {
      // Feedback already given counts as done: the customer should not be asked twice.
      setState(error instanceof ApiError && error.status === 409 ? 'sent' : 'error');
    }
  };
  return (
    <section className="track__feedback" aria-labelledby="feedback-title">
      <h2 id="feedback-title">{t('feedbackTitle')}</h2>
      <fieldset className="track__scale">
        <legend>{t('csatLabel')}</legend>
        {[1, 2, 3, 4, 5].map((n) => (
          <button key={n} type="button" aria-pressed={csat === n} className={csat === n ? 'is-on' : ''} onClick={() => setCsat(n)}>{n}</button>
        ))}
      </fieldset>
      <fieldset className="track__scale track__scale--nps">
        <legend>{t('npsLabel')}</legend>
        {Array.from({ length: 11 }, (_, n) => (
          <button key={n} type="button" aria-pressed={nps === n} className={nps === n ? 'is-on' : ''} onClick={() => setNps(n)}>{n}</button>
        ))}
      </fieldset>
      <label className="track__comment">
        <span>{t('comment')}</span>
        <textarea value={comment} maxLength={1000} rows={3} onChange={(e) => setComment(e.target.value)} />
      </label>
      {state === 'error' && <Banner>{t('feedbackError')}</Banner>}
      <Button size="lg" disabled={(csat === null && nps === null) || state === 'sending'} onClick={submit}>{t('send')}</Button>
    </section>
  );
}

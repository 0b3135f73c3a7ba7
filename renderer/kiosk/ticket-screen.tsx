import { useEffect, useState } from 'react';
import type { TicketDto } from '../../branch-server/contract/tickets.contract.ts';
import { useI18n } from '../shared/i18n.tsx';
import { Button } from '../shared/ui.tsx';
import { ScreenTitle } from './frame.tsx';
import type { KioskKey } from './i18n.ts';
import { qrDataUrl } from './qr.ts';

/** The issued ticket: number, service, people ahead, ETA and a QR code to the phone tracking page. */
export function TicketScreen(props: Readonly<{
  ticket: TicketDto;
  checkedIn: boolean;
  phone: string;
  hasPrinter: boolean;
  secondsLeft: number | null;
  onDone: () => void;
}>) {
  const { t, formatMinutes } = useI18n<KioskKey>();
  const { ticket } = props;
  const [qr, setQr] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    qrDataUrl(ticket.tracking_url).then((src) => current && setQr(src), () => current && setQr(null));
    return () => {
      current = false;
    };
  }, [ticket.tracking_url]);

  const ahead = ticket.position === null ? null : Math.max(0, ticket.position - 1);
  const digits = props.phone.replace(/\D/g, '').slice(-4);

  return (
    <div className="kiosk-ticket" data-ticket-id={ticket.id}>
      <section className="kiosk-ticket__card">
        <div className="kiosk-ticket__main">
          <ScreenTitle className="kiosk-ticket__label">{props.checkedIn ? t('checkedIn') : t('yourTicket')}</ScreenTitle>
          <p className="kiosk-ticket__number" dir="ltr" data-testid="ticket-number">{ticket.number}</p>
          <p className="kiosk-ticket__service">{ticket.queue_name}</p>
          <div className="kiosk-ticket__stats">
            {ahead !== null && (
              <p className="kiosk-stat kiosk-stat--big">
                <span className="kiosk-stat__label">{t('peopleAhead')}</span>
                <span className="kiosk-stat__value" data-testid="people-ahead">{ahead}</span>
                {ahead === 0 && <span className="kiosk-stat__note">{t('youAreNext')}</span>}
              </p>
            )}
            {ticket.eta_seconds !== null && (
              <p className="kiosk-stat kiosk-stat--big">
                <span className="kiosk-stat__label">{t('estimatedWait')}</span>
                <span className="kiosk-stat__value" data-testid="eta">{formatMinutes(ticket.eta_seconds)}</span>
              </p>
            )}
          </div>
        </div>
        <div className="kiosk-ticket__qr">
          {qr && <img src={qr} alt={t('qrAlt')} width={260} height={260} data-qr-text={ticket.tracking_url} />}
          <p>{t('scanToTrack')}</p>
        </div>
      </section>
      <div className="kiosk-notes">
        {props.hasPrinter && <p className="kiosk-notes__printing" role="status">{t('printing')}</p>}
        {digits && <p>{t('smsSent', { digits })}</p>}
        <p>{t('watchScreens')}</p>
      </div>
      <div className="kiosk-ticket__done">
        <Button size="xl" className="kiosk-wide" onClick={props.onDone}>{t('done')}</Button>
        {props.secondsLeft !== null && <p className="kiosk-countdown">{t('closingIn', { s: props.secondsLeft })}</p>}
      </div>
    </div>
  );
}

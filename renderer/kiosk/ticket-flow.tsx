import { useCallback, useRef, useState } from 'react';
import type { QueueDto } from '../../branch-server/contract/queues.contract.ts';
import type { TicketDto } from '../../branch-server/contract/tickets.contract.ts';
import type { ApiClient } from '../shared/api.ts';
import { useI18n, type Language } from '../shared/i18n.tsx';
import { Button } from '../shared/ui.tsx';
import { AppointmentScreen } from './appointment-screen.tsx';
import { checkInErrorKey, issueErrorKey } from './errors.ts';
import { KioskFrame, LanguageChoice } from './frame.tsx';
import type { KioskKey } from './i18n.ts';
import { PhoneScreen } from './phone-screen.tsx';
import { ServicesScreen } from './services-screen.tsx';
import type { KioskSettings } from './settings.ts';
import { TicketScreen } from './ticket-screen.tsx';
import type { KioskData } from './use-kiosk-data.ts';
import { useIdle } from './use-idle.ts';
import { WelcomeScreen } from './welcome-screen.tsx';

type Screen =
  | { name: 'welcome' }
  | { name: 'services'; notice: KioskKey | null }
  | { name: 'phone'; queue: QueueDto }
  | { name: 'ticket'; ticket: TicketDto; phone: string; checkedIn: boolean }
  | { name: 'appointment'; scanned: string | null };

const WELCOME: Screen = { name: 'welcome' };

function BackIcon() {
  return (
    <svg className="kiosk-flip" viewBox="0 0 24 24" width="32" height="32" aria-hidden="true" focusable="false">
      <path d="M15 5l-7 7 7 7" fill="none" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

/** The customer's path: welcome → service → optional phone → ticket; or welcome → appointment code → ticket. */
export function TicketFlow(props: Readonly<{
  api: ApiClient;
  data: KioskData;
  settings: KioskSettings;
  languages: readonly Language[];
  defaultLang: Language;
}>) {
  const { api, data, settings, defaultLang } = props;
  const { t, lang, setLang } = useI18n<KioskKey>();
  const [screen, setScreen] = useState<Screen>(WELCOME);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<KioskKey | null>(null);
  // Bumped when the customer leaves: an answer arriving afterwards must not bring the old screen back.
  const visit = useRef(0);

  const show = useCallback((next: Screen) => {
    setError(null);
    setScreen(next);
  }, []);

  const goHome = useCallback(() => {
    visit.current += 1;
    setBusy(false);
    show(WELCOME);
    setLang(defaultLang);
    void data.refresh();
  }, [show, setLang, defaultLang, data]);

  const onIdle = useCallback(() => {
    if (screen.name !== 'welcome') goHome();
    else if (lang !== defaultLang) setLang(defaultLang);
  }, [screen.name, goHome, lang, defaultLang, setLang]);
  const secondsLeft = useIdle(screen.name === 'ticket' ? settings.ticketIdleMs : settings.idleMs, onIdle);

  const issue = useCallback(async (queue: QueueDto, phone: string) => {
    const mine = visit.current;
    setBusy(true);
    setError(null);
    try {
      const ticket = await api.call('createTicket', { body: { queue: queue.id, channel: 'kiosk', ...(phone ? { customer_phone: phone } : {}) } });
      if (visit.current === mine) show({ name: 'ticket', ticket, phone, checkedIn: false });
    } catch (failure) {
      if (visit.current !== mine) return;
      const key = issueErrorKey(failure);
      if (key === 'unavailable') {
        setError(key);
      } else {
        // The service closed or filled up since the tiles were drawn: back to the tiles, now up to date.
        show({ name: 'services', notice: key });
        void data.refresh();
      }
    } finally {
      if (visit.current === mine) setBusy(false);
    }
  }, [api, show, data]);

  const checkIn = useCallback(async (code: string) => {
    const mine = visit.current;
    setBusy(true);
    setError(null);
    try {
      const ticket = await api.call('checkInAppointment', { body: { code } });
      if (visit.current === mine) show({ name: 'ticket', ticket, phone: '', checkedIn: true });
    } catch (failure) {
      if (visit.current === mine) setError(checkInErrorKey(failure));
    } finally {
      if (visit.current === mine) setBusy(false);
    }
  }, [api, show]);

  const back = (target: Screen) => (
    <>
      <Button size="lg" tone="ghost" className="kiosk-back" disabled={busy} onClick={() => { visit.current += 1; setBusy(false); show(target); }}>
        <BackIcon />
        {t('back')}
      </Button>
      <LanguageChoice languages={props.languages} compact />
    </>
  );

  switch (screen.name) {
    case 'welcome':
      return (
        <KioskFrame screen="welcome" site={data.site}>
          <WelcomeScreen data={data} languages={props.languages}
            onTakeTicket={() => { show({ name: 'services', notice: null }); void data.refresh(); }}
            onAppointment={() => show({ name: 'appointment', scanned: null })}
            onScan={(code) => show({ name: 'appointment', scanned: code })} />
        </KioskFrame>
      );
    case 'services':
      return (
        <KioskFrame screen="services" site={data.site} footer={back(WELCOME)}>
          <ServicesScreen data={data} notice={screen.notice} onChoose={(queue) => show({ name: 'phone', queue })} />
        </KioskFrame>
      );
    case 'phone':
      return (
        <KioskFrame screen="phone" site={data.site} footer={back({ name: 'services', notice: null })}>
          <PhoneScreen queue={screen.queue} busy={busy} error={error} onIssue={(phone) => void issue(screen.queue, phone)} />
        </KioskFrame>
      );
    case 'appointment':
      return (
        <KioskFrame screen="appointment" site={data.site} footer={back(WELCOME)}>
          <AppointmentScreen scanned={screen.scanned} busy={busy} error={error} onCheckIn={checkIn} onEdit={() => setError(null)} />
        </KioskFrame>
      );
    case 'ticket':
      return (
        <KioskFrame screen="ticket" site={data.site}>
          <TicketScreen ticket={screen.ticket} checkedIn={screen.checkedIn} phone={screen.phone}
            hasPrinter={Boolean(data.config?.printer_id)} secondsLeft={secondsLeft} onDone={goHome} />
        </KioskFrame>
      );
  }
}

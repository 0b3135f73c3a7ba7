import { useEffect, useRef } from 'react';
import type { Language } from '../shared/i18n.tsx';
import { useI18n } from '../shared/i18n.tsx';
import { Button, Spinner } from '../shared/ui.tsx';
import { LanguageChoice, ScreenTitle, Unavailable } from './frame.tsx';
import type { KioskKey } from './i18n.ts';
import { cleanCode } from './keypad.tsx';
import type { KioskData } from './use-kiosk-data.ts';

export const CHECK_IN_CODE_LENGTH = 6;

/**
 * A keyboard-wedge scanner "types" what it reads, then Enter. On the welcome screen nothing has the
 * focus, so the keys are gathered here: a scanned appointment QR checks the customer in at once.
 */
function useWedgeScanner(onScan: (code: string) => void): void {
  const callback = useRef(onScan);
  callback.current = onScan;
  useEffect(() => {
    let buffer = '';
    let last = 0;
    const onKey = (event: KeyboardEvent) => {
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
      const now = Date.now();
      if (now - last > 1000) buffer = '';
      last = now;
      if (event.key === 'Enter') {
        const code = cleanCode(buffer, CHECK_IN_CODE_LENGTH, 'last');
        buffer = '';
        if (code.length === CHECK_IN_CODE_LENGTH) {
          event.preventDefault();
          callback.current(code);
        }
      } else if (event.key.length === 1) {
        buffer = (buffer + event.key).slice(-200);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}

export function WelcomeScreen(props: Readonly<{
  data: KioskData;
  languages: readonly Language[];
  onTakeTicket: () => void;
  onAppointment: () => void;
  onScan: (code: string) => void;
}>) {
  const { t } = useI18n<KioskKey>();
  useWedgeScanner(props.onScan);
  const { data } = props;
  return (
    <div className="kiosk-welcome">
      <div className="kiosk-welcome__hero">
        <ScreenTitle className="kiosk-welcome__title">{t('welcomeTitle')}</ScreenTitle>
        {data.site && <p className="kiosk-welcome__site">{data.site}</p>}
        <p className="kiosk-welcome__subtitle">{t('welcomeSubtitle')}</p>
      </div>
      <LanguageChoice languages={props.languages} />
      {data.state === 'loading' && !data.config && <div className="kiosk-center"><Spinner label={t('loading')} /></div>}
      {data.state === 'error' && <Unavailable onRetry={() => void data.refresh()} />}
      {data.state === 'ready' && (
        <div className="kiosk-welcome__actions">
          <Button size="xl" className="kiosk-cta" onClick={props.onTakeTicket}>
            <TicketIcon />
            {t('takeTicket')}
          </Button>
          <Button size="xl" tone="secondary" className="kiosk-cta kiosk-cta--secondary" onClick={props.onAppointment}>
            {t('haveAppointment')}
          </Button>
          <p className="kiosk-welcome__scan">{t('scanHint')}</p>
        </div>
      )}
    </div>
  );
}

function TicketIcon() {
  return (
    <svg viewBox="0 0 24 24" width="48" height="48" aria-hidden="true" focusable="false">
      <path d="M3 7a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2v3a2 2 0 0 0 0 4v3a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-3a2 2 0 0 0 0-4z"
        fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinejoin="round" />
      <path d="M9 5v14" stroke="currentColor" strokeWidth="1.8" strokeDasharray="2 2" />
    </svg>
  );
}

import { useEffect, useRef, useState, type ReactNode } from 'react';
import { LANGUAGE_NAMES, useI18n, type Language } from '../shared/i18n.tsx';
import { Button } from '../shared/ui.tsx';
import type { KioskKey } from './i18n.ts';

function useClock(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 10_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/**
 * Every kiosk screen: a header (brand, branch, time), the screen, and a footer for its navigation.
 * `data-screen` names the screen for tests and for the shell's logs.
 */
export function KioskFrame(props: Readonly<{ screen: string; site?: string | null; footer?: ReactNode; children: ReactNode }>) {
  const { t, formatTime } = useI18n<KioskKey>();
  const now = useClock();
  return (
    <div className="kiosk" data-screen={props.screen}>
      <header className="kiosk__top">
        <div className="kiosk__brand">
          <span className="kiosk__logo" aria-hidden="true">SQ</span>
          <span className="kiosk__brand-text">
            <span className="kiosk__brand-name">{t('brand')}</span>
            {props.site && <span className="kiosk__site">{props.site}</span>}
          </span>
        </div>
        <p className="kiosk__clock">{formatTime(now)}</p>
      </header>
      <main className="kiosk__main">{props.children}</main>
      {props.footer && <footer className="kiosk__bottom">{props.footer}</footer>}
    </div>
  );
}

/** The screen title, focused when the screen appears so a screen reader announces where the customer is. */
export function ScreenTitle({ children, className = '' }: Readonly<{ children: ReactNode; className?: string }>) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (!document.activeElement || document.activeElement === document.body) ref.current?.focus({ preventScroll: true });
  }, []);
  return <h1 ref={ref} tabIndex={-1} className={`kiosk__title ${className}`}>{children}</h1>;
}

/** Large language buttons, each labelled in its own language (a customer may not read the current one). */
export function LanguageChoice({ languages, compact = false }: Readonly<{ languages: readonly Language[]; compact?: boolean }>) {
  const { t, lang, setLang } = useI18n<KioskKey>();
  if (languages.length < 2) return null;
  return (
    <nav className={`kiosk-langs${compact ? ' kiosk-langs--compact' : ''}`} aria-label={t('language')}>
      {languages.map((code) => (
        <button key={code} type="button" lang={code} dir={code === 'ar' ? 'rtl' : 'ltr'} aria-pressed={code === lang}
          className={`kiosk-langs__btn${code === lang ? ' is-current' : ''}`} onClick={() => setLang(code)}>
          {LANGUAGE_NAMES[code]}
        </button>
      ))}
    </nav>
  );
}

/** The friendly face of a failure: nothing technical, a way to try again. */
export function Unavailable({ onRetry, message }: Readonly<{ onRetry: () => void; message?: KioskKey }>) {
  const { t } = useI18n<KioskKey>();
  return (
    <section className="kiosk-unavailable" role="alert">
      <span className="kiosk-unavailable__icon" aria-hidden="true">!</span>
      <h2>{t(message ?? 'unavailable')}</h2>
      <p>{t('unavailableHint')}</p>
      <Button size="xl" onClick={onRetry}>{t('retry')}</Button>
    </section>
  );
}

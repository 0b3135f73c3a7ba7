import { useEffect, useState } from 'react';
import { useI18n, type Language } from '../shared/i18n.tsx';
import { dictionary, type DisplayKey } from './i18n.ts';

/**
 * A heading in the screen's first language, with the display's other languages beneath it in
 * smaller type: a hall TV speaks to everyone in the room, not only to readers of one language.
 */
export function Label({ k, languages, vars, className = '' }: Readonly<{ k: DisplayKey; languages: readonly Language[]; vars?: Record<string, string | number>; className?: string }>) {
  const { t, lang } = useI18n<DisplayKey>();
  const others = languages.filter((l) => l !== lang);
  return (
    <span className={`dsp-label ${className}`}>
      <span className="dsp-label__main">{t(k, vars)}</span>
      {others.length > 0 && (
        <span className="dsp-label__more">
          {others.map((l, i) => (
            <span key={l} lang={l} dir={l === 'ar' ? 'rtl' : 'ltr'}>
              {i > 0 ? ' · ' : ''}{fill(dictionary[l][k], vars)}
            </span>
          ))}
        </span>
      )}
    </span>
  );
}

function fill(text: string, vars?: Record<string, string | number>): string {
  return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (vars[name] === undefined ? m : String(vars[name]))) : text;
}

const LOCALES: Record<Language, string> = { fr: 'fr-FR', en: 'en-GB', ar: 'ar-u-nu-latn' };

/** The wall clock (24-hour in every language, as branch signage shows it), refreshed every few seconds. */
export function Clock() {
  const { lang } = useI18n();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(timer);
  }, []);
  const text = new Intl.DateTimeFormat(LOCALES[lang], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(now);
  return <time className="dsp-clock" dateTime={new Date(now).toISOString()}>{text}</time>;
}

/** "A023" → "A 0 2 3", so a synthetic voice spells it as the recorded clips do. */
export function spelled(number: string): string {
  return [...number].filter((c) => /[A-Za-z0-9]/.test(c)).join(' ');
}

/** The spoken part of a counter label: "Guichet 4" → "4" (as the server's announcement). */
export function counterId(label: string): string | null {
  return /(?:^|[^A-Za-z0-9])([0-9]{1,4}|[A-Za-z])\s*$/.exec(label.trim())?.[1] ?? null;
}

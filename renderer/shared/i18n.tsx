import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

import { LANGUAGES, type Language } from './languages.ts';

export { LANGUAGE_NAMES, LANGUAGES, type Language } from './languages.ts';

/** A dictionary per language with the same keys; French is the reference (and the fallback). */
export type Dictionary<K extends string> = Readonly<Record<Language, Readonly<Record<K, string>>>>;

type Vars = Readonly<Record<string, string | number>>;

export type I18n<K extends string> = Readonly<{
  lang: Language;
  dir: 'ltr' | 'rtl';
  setLang(lang: Language): void;
  t(key: K, vars?: Vars): string;
  /** Numbers, durations and times formatted for the language (Arabic uses Latin digits for ticket numbers). */
  formatTime(iso: string | number | Date, timeZone?: string): string;
  formatMinutes(seconds: number | null): string;
}>;

const Ctx = createContext<I18n<string> | null>(null);

export function dirOf(lang: Language): 'ltr' | 'rtl' {
  return lang === 'ar' ? 'rtl' : 'ltr';
}

function interpolate(text: string, vars?: Vars): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (vars[name] === undefined ? m : String(vars[name])));
}

export function I18nProvider<K extends string>(props: Readonly<{ dictionary: Dictionary<K>; initial?: Language; storageKey?: string; children: ReactNode }>) {
  const storageKey = props.storageKey ?? 'smartqueue.lang';
  const [lang, setLangState] = useState<Language>(() => {
    const stored = typeof localStorage === 'undefined' ? null : localStorage.getItem(storageKey);
    return (LANGUAGES as readonly string[]).includes(stored ?? '') ? (stored as Language) : (props.initial ?? 'fr');
  });
  const setLang = useCallback((next: Language) => {
    setLangState(next);
    try {
      localStorage.setItem(storageKey, next);
    } catch {
      // private mode: the choice lasts for this page only
    }
  }, [storageKey]);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = dirOf(lang);
  }, [lang]);
  const value = useMemo<I18n<K>>(() => {
    const locale = lang === 'ar' ? 'ar-u-nu-latn' : lang === 'en' ? 'en-GB' : 'fr-FR';
    return {
      lang,
      dir: dirOf(lang),
      setLang,
      t: (key, vars) => interpolate(props.dictionary[lang][key] ?? props.dictionary.fr[key] ?? key, vars),
      formatTime: (value, timeZone) => new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', ...(timeZone ? { timeZone } : {}) }).format(new Date(value)),
      formatMinutes: (seconds) => {
        if (seconds === null) return '–';
        const minutes = Math.max(0, Math.round(seconds / 60));
        return new Intl.NumberFormat(locale, { style: 'unit', unit: 'minute', unitDisplay: 'short' }).format(minutes);
      },
    };
  }, [lang, setLang, props.dictionary]);
  return <Ctx.Provider value={value as I18n<string>}>{props.children}</Ctx.Provider>;
}

export function useI18n<K extends string>(): I18n<K> {
  const value = useContext(Ctx);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value as I18n<K>;
}

/** Builds a dictionary and checks at compile time that en and ar have every key fr has. */
export function defineDictionary<const F extends Readonly<Record<string, string>>>(
  fr: F,
  en: Readonly<Record<keyof F, string>>,
  ar: Readonly<Record<keyof F, string>>,
): Dictionary<Extract<keyof F, string>> {
  return { fr, en, ar } as Dictionary<Extract<keyof F, string>>;
}

import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useI18n } from '../shared/i18n.tsx';
import { Banner } from '../shared/ui.tsx';
import type { HqApi } from './api.ts';
import type { HqKey } from './i18n.ts';
import type { HqSession, HqSessionStore } from './session.ts';

export type Hq = Readonly<{
  api: HqApi;
  store: HqSessionStore;
  session: HqSession;
  tenant: string;
  can(right: 'read' | 'manage' | 'admin'): boolean;
}>;

const Ctx = createContext<Hq | null>(null);
export const HqProvider = Ctx.Provider;

export function useHq(): Hq {
  const value = useContext(Ctx);
  if (!value) throw new Error('useHq outside HqProvider');
  return value;
}

export const useT = () => useI18n<HqKey>();

export type Loaded<T> = Readonly<{ data: T | null; error: string | null; loading: boolean; reload(): void; at: number | null }>;

/**
 * Loads once (and again on `reload` or when `deps` change); with `everyMs`, polls while the page is
 * open, keeping the last answer on screen when a poll fails. `loading` is true from a deps change or
 * reload until its answer arrives (the previous data stays readable meanwhile); polls leave it alone.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[], everyMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean; at: number | null }>({ data: null, error: null, loading: true, at: null });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // New deps or a reload: what is on screen answers the old question until the new answer comes.
    setState((s) => (s.loading ? s : { ...s, loading: true }));
    const run = () => {
      loadRef.current().then(
        (data) => alive && setState({ data, error: null, loading: false, at: Date.now() }),
        (error: unknown) => alive && setState((s) => ({ ...s, error: (error as Error).message, loading: false })),
      ).finally(() => {
        if (alive && everyMs) timer = setTimeout(run, everyMs);
      });
    };
    run();
    return () => {
      alive = false;
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick, everyMs]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

export function LoadState({ state, children }: Readonly<{ state: Loaded<unknown>; children: ReactNode }>) {
  const { t } = useT();
  if (state.error && !state.data) return <Banner>{t('error', { message: state.error })}</Banner>;
  if (!state.data) return <p className="mg-empty" role="status">{t('loading')}</p>;
  return (
    <>
      {state.error && <Banner>{t('error', { message: state.error })}</Banner>}
      {children}
    </>
  );
}

export function Section({ title, lead, actions, children }: Readonly<{ title: string; lead?: string; actions?: ReactNode; children: ReactNode }>) {
  return (
    <section className="mg-section" aria-labelledby="hq-title">
      <header className="mg-section__head">
        <div>
          <h1 id="hq-title" tabIndex={-1}>{title}</h1>
          {lead && <p className="mg-section__lead">{lead}</p>}
        </div>
        {actions && <div className="mg-section__actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** Seconds as "12 min" / "45 s"; null as a dash. */
export function useDuration(): (seconds: number | null | undefined) => string {
  const { formatMinutes, t } = useT();
  return (seconds) => {
    if (seconds === null || seconds === undefined) return '–';
    return seconds < 60 ? t('seconds', { n: seconds }) : formatMinutes(seconds);
  };
}

export const percent = (value: number | null | undefined) => (value === null || value === undefined ? '–' : `${Math.round(value * 1000) / 10} %`);

export function formatDateTime(iso: string | null | undefined, lang: string): string {
  if (!iso) return '–';
  const locale = lang === 'ar' ? 'ar-u-nu-latn' : lang === 'en' ? 'en-GB' : 'fr-FR';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
}

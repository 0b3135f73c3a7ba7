import {
  createContext, useCallback, useContext, useEffect, useId, useRef, useState,
  type ComponentPropsWithRef, type ReactNode,
} from 'react';
import { ApiError, fieldErrors } from '../shared/api.ts';
import { useI18n, type Language } from '../shared/i18n.tsx';
import { Banner, Button, useModalDialog } from '../shared/ui.tsx';

export { TextArea } from '../shared/ui.tsx';
import type { ManagerKey } from './i18n.ts';

export const useT = () => useI18n<ManagerKey>();
type T = ReturnType<typeof useT>['t'];

export type FieldErrors = Readonly<Record<string, string>>;
export type Failure = Readonly<{ message: string; fields: FieldErrors }>;

/**
 * What went wrong, for people: a sentence in their language, plus the API's `details` mapped to
 * the form fields they name (`queue_ids.0` → `queue_ids`), so each message sits under its field.
 */
export function describeFailure(error: unknown, t: T, lang?: Language): Failure {
  if (!(error instanceof ApiError)) return { message: t('errNetwork'), fields: {} };
  const fields = fieldErrors(error, lang);
  const lead = error.status === 400 ? t('errValidation')
    : error.status === 403 ? t('errForbidden')
      : error.status === 404 ? t('errNotFound')
        : error.status === 409 ? t('errConflict')
          : error.status === 429 ? t('errRateLimited')
            : t('errGeneric');
  // When every problem sits under its own field, the banner only points at them (no repetition).
  const allPlaced = Object.keys(fields).length > 0 && !Object.keys(fields).some((f) => f.startsWith('('));
  return { message: allPlaced ? lead : `${lead} ${error.message}`, fields };
}

/** A submit helper: busy flag, failure mapped to fields, and the failure cleared on the next try. */
export function useSubmit() {
  const { t, lang } = useT();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const run = useCallback(async <R,>(action: () => Promise<R>): Promise<R | undefined> => {
    setBusy(true);
    setFailure(null);
    try {
      return await action();
    } catch (error) {
      setFailure(describeFailure(error, t, lang));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, [t, lang]);
  return { busy, failure, run, reset: () => setFailure(null), fieldError: (name: string) => failure?.fields[name] ?? null };
}

/** Loads data, reloads on demand, and keeps the previous data while reloading. */
export function useLoad<R>(load: () => Promise<R>, deps: readonly unknown[]) {
  const { t, lang } = useT();
  const [data, setData] = useState<R | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [version, setVersion] = useState(0);
  // `load` is a new closure on every render: the caller's deps say when it really changes.
  useEffect(() => {
    let cancelled = false;
    load().then((value) => {
      if (cancelled) return;
      setData(value);
      setFailure(null);
    }, (error: unknown) => !cancelled && setFailure(describeFailure(error, t, lang)));
    return () => {
      cancelled = true;
    };
  }, [...deps, version, t]);
  return { data, failure, reload: useCallback(() => setVersion((v) => v + 1), []) };
}

/** A group of checkboxes with one legend and one error (a multi-select that works with a keyboard). */
export function Checkboxes<V extends string>({ legend, options, value, onChange, error, hint }: Readonly<{
  legend: string;
  options: readonly { value: V; label: string }[];
  value: readonly V[];
  onChange: (next: V[]) => void;
  error?: string | null;
  hint?: string;
}>) {
  const id = useId();
  return (
    <fieldset className="mg-checks" aria-describedby={error || hint ? `${id}-hint` : undefined} aria-invalid={error ? true : undefined}>
      <legend>{legend}</legend>
      <div className="mg-checks__list">
        {options.map((option) => (
          <label key={option.value} className="mg-check">
            <input
              type="checkbox"
              checked={value.includes(option.value)}
              onChange={(e) => onChange(e.target.checked ? [...value, option.value] : value.filter((v) => v !== option.value))}
            />
            <span>{option.label}</span>
          </label>
        ))}
      </div>
      {(error || hint) && <p id={`${id}-hint`} className={error ? 'sq-field__error' : 'sq-field__hint'}>{error ?? hint}</p>}
    </fieldset>
  );
}

export function Toggle({ label, checked, onChange }: Readonly<{ label: string; checked: boolean; onChange: (next: boolean) => void }>) {
  return (
    <label className="mg-check mg-check--single">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <span>{label}</span>
    </label>
  );
}

export function FormError({ failure }: Readonly<{ failure: Failure | null }>) {
  if (!failure) return null;
  return <div role="alert" className="sq-banner sq-banner--danger">{failure.message}</div>;
}

// ─── confirmation of destructive actions ───────────────────────────────────────────────────────

type ConfirmRequest = Readonly<{ title: string; body: string; confirm: string; tone?: 'danger' | 'primary' }>;
const ConfirmCtx = createContext<((request: ConfirmRequest) => Promise<boolean>) | null>(null);

/** A modal `<dialog>`: focus moves into it, Escape cancels, focus returns to the button that opened it. */
export function ConfirmProvider({ children }: Readonly<{ children: ReactNode }>) {
  const { t } = useT();
  const dialog = useRef<HTMLDialogElement>(null);
  const [request, setRequest] = useState<ConfirmRequest | null>(null);
  const resolver = useRef<((ok: boolean) => void) | null>(null);
  const opener = useRef<Element | null>(null);
  const titleId = useId();

  const ask = useCallback((next: ConfirmRequest) => {
    opener.current = document.activeElement;
    setRequest(next);
    return new Promise<boolean>((resolve) => {
      resolver.current = resolve;
    });
  }, []);

  useEffect(() => {
    if (request && dialog.current && !dialog.current.open) dialog.current.showModal();
  }, [request]);

  const settle = (ok: boolean) => {
    dialog.current?.close();
    setRequest(null);
    resolver.current?.(ok);
    resolver.current = null;
    if (opener.current instanceof HTMLElement) opener.current.focus();
  };

  return (
    <ConfirmCtx.Provider value={ask}>
      {children}
      <dialog ref={dialog} className="mg-dialog" aria-labelledby={titleId} onCancel={(e) => { e.preventDefault(); settle(false); }}>
        {request && (
          <>
            <h2 id={titleId}>{request.title}</h2>
            <p>{request.body}</p>
            <div className="mg-dialog__actions">
              <Button tone="ghost" onClick={() => settle(false)} autoFocus>{t('cancel')}</Button>
              <Button tone={request.tone ?? 'danger'} onClick={() => settle(true)}>{request.confirm}</Button>
            </div>
          </>
        )}
      </dialog>
    </ConfirmCtx.Provider>
  );
}

export function useConfirm(): (request: ConfirmRequest) => Promise<boolean> {
  const value = useContext(ConfirmCtx);
  if (!value) throw new Error('useConfirm outside ConfirmProvider');
  return value;
}

// ─── notices with an optional undo ─────────────────────────────────────────────────────────────

type Toast = Readonly<{ id: number; message: string; tone: 'ok' | 'danger'; undo?: () => Promise<unknown> }>;
type Notify = (message: string, options?: { undo?: () => Promise<unknown>; tone?: 'ok' | 'danger' }) => void;
const ToastCtx = createContext<Notify | null>(null);

export function ToastProvider({ children }: Readonly<{ children: ReactNode }>) {
  const { t } = useT();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((list) => list.filter((item) => item.id !== id)), []);
  const notify = useCallback<Notify>((message, options = {}) => {
    const id = next.current++;
    // Only the latest action can be undone: an older undo could revert a state the user changed since.
    setToasts((list) => [
      ...list.filter((item) => !(options.undo && item.undo)).slice(-1),
      { id, message, tone: options.tone ?? 'ok', ...(options.undo ? { undo: options.undo } : {}) },
    ]);
    // Long enough to read and reach the undo button with a keyboard.
    setTimeout(() => dismiss(id), options.undo ? 12_000 : 5_000);
  }, [dismiss]);
  return (
    <ToastCtx.Provider value={notify}>
      {children}
      <div className="mg-toasts" role="status" aria-live="polite">
        {toasts.map((toast) => (
          <div key={toast.id} className={`mg-toast mg-toast--${toast.tone}`}>
            <span>{toast.message}</span>
            {toast.undo && (
              <Button tone="secondary" onClick={() => {
                dismiss(toast.id);
                void toast.undo!().then(() => notify(t('undone')), () => notify(t('undoFailed'), { tone: 'danger' }));
              }}>{t('undo')}</Button>
            )}
            <button type="button" className="mg-toast__close" aria-label={t('dismiss')} onClick={() => dismiss(toast.id)}>×</button>
          </div>
        ))}
      </div>
    </ToastCtx.Provider>
  );
}

export function useToast(): Notify {
  const value = useContext(ToastCtx);
  if (!value) throw new Error('useToast outside ToastProvider');
  return value;
}

/**
 * A form in a modal `<dialog>`: the list keeps the full width of the desk screen, focus moves into
 * the form and returns to the button that opened it, Escape closes it.
 */
export function FormDialog({ title, onClose, children }: Readonly<{ title: string; onClose: () => void; children: ReactNode }>) {
  const { t } = useT();
  const ref = useModalDialog();
  const titleId = useId();
  return (
    <dialog ref={ref} className="mg-dialog mg-dialog--form" aria-labelledby={titleId} onCancel={(e) => {
      e.preventDefault();
      onClose();
    }}>
      <header className="mg-dialog__head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="mg-dialog__close" aria-label={t('close')} onClick={onClose}>×</button>
      </header>
      {children}
    </dialog>
  );
}

/** The title of a section; it takes focus when the section opens so screen readers announce it. */
export function SectionHeader({ title, lead, actions }: Readonly<{ title: string; lead?: string; actions?: ReactNode }>) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (document.activeElement?.closest('.mg-nav')) ref.current?.focus();
  }, []);
  return (
    <header className="mg-section__head">
      <div>
        <h1 id="section-title" ref={ref} tabIndex={-1}>{title}</h1>
        {lead && <p className="mg-section__lead">{lead}</p>}
      </div>
      {actions && <div className="mg-section__actions">{actions}</div>}
    </header>
  );
}

export function shortId(id: string): string {
  return id.slice(-8);
}

/** For actions only an administrator may take: says so instead of failing on every click. */
export function AdminOnly({ children }: Readonly<{ children?: ReactNode }>) {
  const { t } = useT();
  return <Banner tone="info">{children ?? t('adminOnly')}</Banner>;
}

/** Shown on the sections whose settings HQ owns once the branch is enrolled (they are read-only here). */
export function HqManagedNotice() {
  const { t } = useT();
  return <Banner tone="info"><span data-testid="hq-managed">{t('hqManagedNotice')}</span></Banner>;
}

/**
 * A table that may scroll sideways on a narrow window: a labelled region that takes keyboard
 * focus, so the hidden columns can be scrolled to without a mouse.
 */
export function TableWrap({ label, children }: Readonly<{ label: string; children: ReactNode }>) {
  return <div className="mg-table-wrap" role="region" aria-label={label} tabIndex={0}>{children}</div>;
}

/** A headline figure: label, value, an optional line under it; red when it needs attention. */
export function Kpi({ label, value, sub, tone }: Readonly<{ label: string; value: string; sub?: string | undefined; tone?: 'danger' | undefined }>) {
  return (
    <div className={`mg-kpi${tone ? ` mg-kpi--${tone}` : ''}`}>
      <dt>{label}</dt>
      <dd>{value}{sub && <span className="mg-kpi__sub">{sub}</span>}</dd>
    </div>
  );
}

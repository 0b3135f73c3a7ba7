import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, fieldErrors } from '../shared/api.ts';
import type { Language } from '../shared/i18n.tsx';
import { Banner, Button } from '../shared/ui.tsx';
import { useT } from './context.tsx';

/** A field's API error by its name (`queue_ids.0` → `queue_ids`), or null. */
export type FieldError = (name: string) => string | null;

type Failure = Readonly<{ message: string; fields: Readonly<Record<string, string>> }>;

/**
 * What the API refused, for people: its message, and each `details` item placed under the field it
 * names (the form's fields carry the API's names), so a bad value is shown where it was typed.
 */
function describeFailure(error: unknown, lang: Language): Failure {
  if (!(error instanceof ApiError)) return { message: (error as Error).message, fields: {} };
  return { message: error.message, fields: fieldErrors(error, lang) };
}

type Mode = 'edit' | 'delete' | null;

/**
 * A row's Edit and Delete (or Deactivate) buttons, each opening a modal `<dialog>`: focus moves
 * into it, Escape or Cancel closes it, focus returns to the button. Saving sends the form; an API
 * refusal keeps the dialog open with the message on top and each field's error under the field.
 */
export function RowActions({ name, form, save, remove, removeLabel, confirmText, onDone }: Readonly<{
  /** The row, as people call it (in the buttons' accessible names and the dialog titles). */
  name: string;
  /** The edit form's fields, pre-filled; absent: no Edit button. */
  form?: (fieldError: FieldError) => ReactNode;
  save?: (form: FormData) => Promise<unknown>;
  /** Absent: no Delete button (the API has none, or the caller may not). */
  remove?: () => Promise<unknown>;
  removeLabel?: string;
  confirmText?: string;
  onDone: () => void;
}>) {
  const { t, lang } = useT();
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const [mode, setMode] = useState<Mode>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const titleId = useId();

  useEffect(() => {
    if (mode && dialog.current && !dialog.current.open) dialog.current.showModal();
  }, [mode]);

  const openAs = (next: Mode) => (event: { currentTarget: HTMLElement }) => {
    opener.current = event.currentTarget;
    setFailure(null);
    setMode(next);
  };
  const close = () => {
    dialog.current?.close();
    setMode(null);
    setFailure(null);
    opener.current?.focus();
  };
  const attempt = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setFailure(null);
    try {
      await action();
      close();
      onDone();
    } catch (error) {
      setFailure(describeFailure(error, lang));
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    if (save) void attempt(() => save(data));
  };
  const fieldError: FieldError = (field) => failure?.fields[field] ?? null;
  const removing = removeLabel ?? t('delete');

  return (
    <>
      {form && save && <Button tone="secondary" aria-label={t('editOf', { name })} onClick={openAs('edit')}>{t('edit')}</Button>}
      {remove && <Button tone="danger" aria-label={`${removing} · ${name}`} onClick={openAs('delete')}>{removing}</Button>}
      <dialog ref={dialog} className={`mg-dialog${mode === 'edit' ? ' mg-dialog--form' : ''}`} aria-labelledby={titleId}
        onCancel={(e) => { e.preventDefault(); close(); }}>
        {mode === 'edit' && form && (
          <form className="mg-form hq-form hq-edit" onSubmit={submit} noValidate>
            <h2 id={titleId}>{t('editOf', { name })}</h2>
            {failure && <Banner>{failure.message}</Banner>}
            {form(fieldError)}
            <div className="mg-dialog__actions">
              <Button tone="ghost" onClick={close}>{t('cancel')}</Button>
              <Button type="submit" disabled={busy}>{t('save')}</Button>
            </div>
          </form>
        )}
        {mode === 'delete' && remove && (
          <>
            <h2 id={titleId}>{`${removing} · ${name}`}</h2>
            {failure && <Banner>{failure.message}</Banner>}
            <p>{confirmText}</p>
            <div className="mg-dialog__actions">
              <Button tone="ghost" onClick={close} autoFocus>{t('cancel')}</Button>
              <Button tone="danger" disabled={busy} onClick={() => void attempt(remove)}>{removing}</Button>
            </div>
          </>
        )}
      </dialog>
    </>
  );
}

/** A checkbox as a 44 px touch target. */
export function Check({ label, ...rest }: Readonly<{ label: string; name: string; defaultChecked?: boolean; value?: string }>) {
  return (
    <label className="mg-check">
      <input type="checkbox" {...rest} />
      <span>{label}</span>
    </label>
  );
}

const same = (a: unknown, b: unknown) =>
  Array.isArray(a) && Array.isArray(b) ? JSON.stringify([...a].sort()) === JSON.stringify([...b].sort()) : a === b;

/**
 * The PATCH body: only the fields the form changed. The API checks rights per field (changing an
 * admin needs the admin right, renaming someone who also works for another tenant is refused), so
 * an untouched field must not be sent as if it were changed.
 */
export function changedFields<T extends Record<string, unknown>>(before: Readonly<Record<string, unknown>>, after: T): Partial<T> {
  return Object.fromEntries(Object.entries(after).filter(([key, value]) => !same(before[key], value))) as Partial<T>;
}

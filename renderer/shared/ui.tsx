import type { ButtonHTMLAttributes, ComponentPropsWithRef, InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';
import { useEffect, useId, useRef, type RefObject } from 'react';
import './ui.css';

type Tone = 'primary' | 'secondary' | 'danger' | 'ghost';

export function Button({ tone = 'primary', size = 'md', className = '', ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { tone?: Tone; size?: 'md' | 'lg' | 'xl' }) {
  return <button type="button" className={`sq-btn sq-btn--${tone} sq-btn--${size} ${className}`} {...rest} />;
}

export function Card({ title, actions, children, className = '' }: Readonly<{ title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }>) {
  return (
    <section className={`sq-card ${className}`}>
      {(title || actions) && (
        <header className="sq-card__head">
          {title && <h2 className="sq-card__title">{title}</h2>}
          {actions && <div className="sq-card__actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

export function Field({ label, hint, error, ...rest }: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string; error?: string | null }) {
  const id = useId();
  return (
    <div className="sq-field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={hint || error ? `${id}-hint` : undefined} {...rest} />
      {(hint || error) && <p id={`${id}-hint`} className={error ? 'sq-field__error' : 'sq-field__hint'}>{error ?? hint}</p>}
    </div>
  );
}

export function TextArea({ label, hint, error, ...rest }: ComponentPropsWithRef<'textarea'> & { label: string; hint?: ReactNode; error?: string | null }) {
  const id = useId();
  return (
    <div className="sq-field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} aria-invalid={error ? true : undefined} aria-describedby={hint || error ? `${id}-hint` : undefined} {...rest} />
      {(hint || error) && <p id={`${id}-hint`} className={error ? 'sq-field__error' : 'sq-field__hint'}>{error ?? hint}</p>}
    </div>
  );
}

export function Select({ label, children, ...rest }: SelectHTMLAttributes<HTMLSelectElement> & { label: string; children: ReactNode }) {
  const id = useId();
  return (
    <div className="sq-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} {...rest}>{children}</select>
    </div>
  );
}

/**
 * A `<dialog>` shown as a modal while its component is mounted: opened on mount, closed on unmount,
 * focus given back to what had it before (the button that opened it).
 */
export function useModalDialog(): RefObject<HTMLDialogElement | null> {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const opener = document.activeElement;
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      dialog?.close();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
  }, []);
  return ref;
}

export function Badge({ tone = 'neutral', children }: Readonly<{ tone?: 'neutral' | 'ok' | 'warn' | 'danger' | 'info'; children: ReactNode }>) {
  return <span className={`sq-badge sq-badge--${tone}`}>{children}</span>;
}

/** An error or notice for people, announced to screen readers. */
export function Banner({ tone = 'danger', children }: Readonly<{ tone?: 'danger' | 'warn' | 'info' | 'ok'; children: ReactNode }>) {
  return <div role={tone === 'danger' ? 'alert' : 'status'} className={`sq-banner sq-banner--${tone}`}>{children}</div>;
}

export function Spinner({ label }: Readonly<{ label: string }>) {
  return <div className="sq-spinner" role="status" aria-label={label} />;
}

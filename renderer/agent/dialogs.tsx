import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { QueueDto } from '../../branch-server/contract/queues.contract.ts';
import { useI18n } from '../shared/i18n.tsx';
import { Banner, Button, Field } from '../shared/ui.tsx';
import type { AgentKey } from './i18n.ts';
import { SHORTCUT_ORDER, SHORTCUTS, type ShortcutId } from './shortcuts.ts';
import type { Ticket } from './desk-state.ts';

/** A modal `<dialog>`: focus stays inside, Escape closes it, focus returns to what opened it. */
export function Modal({ title, onClose, children, wide = false }: Readonly<{ title: string; onClose: () => void; children: ReactNode; wide?: boolean }>) {
  const { t } = useI18n<AgentKey>();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) {
      dialog.showModal();
      // showModal focuses the first focusable element (the close button): start at the first field instead.
      dialog.querySelector<HTMLElement>('[data-autofocus], input:not([type="radio"]), select, textarea, input:checked')?.focus();
    }
    return () => {
      dialog?.close();
      opener?.focus();
    };
  }, []);
  return (
    <dialog ref={ref} className={`desk-dialog${wide ? ' desk-dialog--wide' : ''}`} aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}>
      <header className="desk-dialog__head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="desk-dialog__x" aria-label={t('closeDialog')} onClick={onClose}>×</button>
      </header>
      {children}
    </dialog>
  );
}

function TextArea({ label, hint, error, value, onChange, required, autoFocus }: Readonly<{
  label: string; hint?: string; error?: string | null; value: string; onChange: (value: string) => void; required?: boolean; autoFocus?: boolean;
}>) {
  const id = useId();
  return (
    <div className="sq-field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} rows={3} maxLength={500} value={value} required={required} autoFocus={autoFocus}
        aria-invalid={error ? true : undefined} aria-describedby={hint || error ? `${id}-hint` : undefined}
        onChange={(e) => onChange(e.target.value)} />
      {(hint || error) && <p id={`${id}-hint`} className={error ? 'sq-field__error' : 'sq-field__hint'}>{error ?? hint}</p>}
    </div>
  );
}

export function TransferDialog({ ticket, queues, onClose, onTransfer }: Readonly<{
  ticket: Ticket; queues: readonly QueueDto[]; onClose: () => void;
  onTransfer: (targetQueueId: string, reason: string) => Promise<boolean>;
}>) {
  const { t } = useI18n<AgentKey>();
  const targets = queues.filter((q) => q.id !== ticket.queue);
  const firstOpen = targets.find((q) => q.status !== 'closed');
  const [target, setTarget] = useState(firstOpen?.id ?? '');
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const selectId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!target || !reason.trim()) return;
    setBusy(true);
    const done = await onTransfer(target, reason.trim());
    setBusy(false);
    if (done) onClose();
  };
  return (
    <Modal title={t('transferTitle', { number: ticket.number })} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <p className="desk-dialog__intro">{t('transferIntro')}</p>
        {!firstOpen && <Banner tone="warn">{t('noTransferTarget')}</Banner>}
        <div className="sq-field">
          <label htmlFor={selectId}>{t('transferTarget')}</label>
          <select id={selectId} value={target} onChange={(e) => setTarget(e.target.value)} required
            aria-invalid={tried && !target ? true : undefined}>
            {targets.map((q) => (
              <option key={q.id} value={q.id} disabled={q.status === 'closed'}>
                {q.status === 'closed' ? t('queueClosed', { name: `${q.prefix} · ${q.name}` })
                  : q.status === 'paused' ? t('queuePaused', { name: `${q.prefix} · ${q.name}` }) : `${q.prefix} · ${q.name}`}
              </option>
            ))}
          </select>
          {tried && !target && <p className="sq-field__error">{t('chooseQueue')}</p>}
        </div>
        <TextArea label={t('transferReason')} hint={t('transferReasonHint')} value={reason} onChange={setReason} required
          error={tried && !reason.trim() ? t('reasonRequired') : null} />
        <div className="desk-dialog__actions">
          <Button tone="ghost" onClick={onClose}>{t('cancel')}</Button>
          <Button type="submit" disabled={busy || !firstOpen}>{t('transferConfirm')}</Button>
        </div>
      </form>
    </Modal>
  );
}

const PAUSE_REASONS = ['lunch', 'break', 'meeting', 'backoffice', 'other'] as const;

export function PauseDialog({ onClose, onPause }: Readonly<{ onClose: () => void; onPause: (reason: string) => Promise<boolean> }>) {
  const { t } = useI18n<AgentKey>();
  const [choice, setChoice] = useState<(typeof PAUSE_REASONS)[number]>('break');
  const [other, setOther] = useState('');
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    const reason = choice === 'other' ? other.trim() : t(`reason_${choice}`);
    if (!reason) return;
    setBusy(true);
    const done = await onPause(reason);
    setBusy(false);
    if (done) onClose();
  };
  return (
    <Modal title={t('pauseTitle')} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <p className="desk-dialog__intro">{t('pauseIntro')}</p>
        <fieldset className="desk-reasons">
          <legend>{t('pauseReason')}</legend>
          {PAUSE_REASONS.map((r) => (
            <label key={r} className={`desk-reasons__option${choice === r ? ' is-on' : ''}`}>
              <input type="radio" name="pause-reason" value={r} checked={choice === r} onChange={() => setChoice(r)} />
              <span>{t(`reason_${r}`)}</span>
            </label>
          ))}
        </fieldset>
        {choice === 'other' && (
          <Field label={t('otherReason')} value={other} maxLength={200} autoFocus onChange={(e) => setOther(e.target.value)}
            error={tried && !other.trim() ? t('reasonRequired') : null} />
        )}
        <div className="desk-dialog__actions">
          <Button tone="ghost" onClick={onClose}>{t('cancel')}</Button>
          <Button type="submit" disabled={busy}>{t('pauseConfirm')}</Button>
        </div>
      </form>
    </Modal>
  );
}

/** Counter name and the queues served (read-only: skills are a manager's decision in the contract). */
export function CounterForm({ counter, queues, servedIds, submitLabel, onSubmit, onCancel }: Readonly<{
  counter: string; queues: readonly QueueDto[]; servedIds: readonly string[]; submitLabel: string;
  onSubmit: (counter: string) => Promise<boolean>; onCancel?: () => void;
}>) {
  const { t } = useI18n<AgentKey>();
  const [value, setValue] = useState(counter);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const served = queues.filter((q) => servedIds.includes(q.id));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!value.trim()) return;
    setBusy(true);
    await onSubmit(value.trim());
    setBusy(false);
  };
  return (
    <form onSubmit={submit} noValidate className="desk-counter-form">
      <Field label={t('counterLabel')} hint={t('counterHint')} value={value} maxLength={40} required autoFocus
        onChange={(e) => setValue(e.target.value)} error={tried && !value.trim() ? t('counterRequired') : null} />
      <section className="desk-served" aria-labelledby="served-title">
        <h3 id="served-title">{t('servedQueues')}</h3>
        {served.length === 0 ? <Banner tone="warn">{t('noQueues')}</Banner> : (
          <ul className="desk-served__list">
            {served.map((q) => (
              <li key={q.id}><span className="desk-prefix" aria-hidden="true">{q.prefix}</span><bdi>{q.name}</bdi></li>
            ))}
          </ul>
        )}
        <p className="sq-field__hint">{t('servedQueuesHint')}</p>
      </section>
      <div className="desk-dialog__actions">
        {onCancel && <Button tone="ghost" onClick={onCancel}>{t('cancel')}</Button>}
        <Button type="submit" size="lg" disabled={busy}>{submitLabel}</Button>
      </div>
    </form>
  );
}

export function ShortcutHelp({ onClose, labels }: Readonly<{ onClose: () => void; labels: Readonly<Record<ShortcutId, string>> }>) {
  const { t } = useI18n<AgentKey>();
  return (
    <Modal title={t('shortcutsTitle')} onClose={onClose}>
      <table className="desk-keys">
        <thead><tr><th scope="col">{t('sc_key')}</th><th scope="col">{t('sc_action')}</th></tr></thead>
        <tbody>
          {SHORTCUT_ORDER.map((id) => (
            <tr key={id}><td><kbd>{SHORTCUTS[id].label}</kbd></td><td>{labels[id]}</td></tr>
          ))}
          <tr><td><kbd>Esc</kbd></td><td>{t('closeDialog')}</td></tr>
        </tbody>
      </table>
      <p className="desk-dialog__intro">{t('shortcutsHint')}</p>
      <div className="desk-dialog__actions">
        <Button onClick={onClose}>{t('closeDialog')}</Button>
      </div>
    </Modal>
  );
}

import { useEffect, useState } from 'react';
import { useI18n } from '../shared/i18n.tsx';
import { Badge } from '../shared/ui.tsx';
import type { Explanation, Ticket } from './desk-state.ts';
import { ticketStatusLabel } from './errors.ts';
import { CallSeen } from './call-seen.tsx';
import type { AgentKey } from './i18n.ts';
import { SHORTCUTS, type ShortcutId } from './shortcuts.ts';

/** mm:ss (h:mm:ss past an hour), Latin digits in every language. */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
}

function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

function ServiceTimer({ ticket }: Readonly<{ ticket: Ticket }>) {
  const { t } = useI18n<AgentKey>();
  const now = useNow();
  const serving = ticket.status === 'en_service' && ticket.started_at !== null;
  const since = serving ? ticket.started_at : ticket.called_at;
  if (!since) return null;
  return (
    <div className={`desk-timer${serving ? ' is-serving' : ''}`}>
      <span className="desk-timer__label">{serving ? t('inServiceSince') : t('calledSince')}</span>
      <span className="desk-timer__value" dir="ltr" role="timer" aria-live="off" data-testid="service-timer">
        {formatClock((now - Date.parse(since)) / 1000)}
      </span>
    </div>
  );
}

/** The engine's reason in the agent's language, from its figures; its own sentence kept below it. */
export function ExplanationView({ explanation }: Readonly<{ explanation: Explanation }>) {
  const { t, lang, formatMinutes } = useI18n<AgentKey>();
  const waited = explanation.waitedSeconds ?? 0;
  const wait = waited < 60
    ? new Intl.NumberFormat(lang === 'ar' ? 'ar-u-nu-latn' : lang, { style: 'unit', unit: 'second', unitDisplay: 'short' }).format(waited)
    : formatMinutes(waited);
  const lines: string[] = [];
  if (explanation.appointment) lines.push(t('explain_appointment'));
  else if (explanation.policy === 'priority') lines.push(t('explain_priority', { p: explanation.effectivePriority ?? 0, wait }));
  else if (explanation.policy === 'sla' && explanation.slaRatio !== undefined) lines.push(t('explain_sla', { ratio: Math.round(explanation.slaRatio * 100), wait }));
  else lines.push(t('explain_fifo', { wait }));
  if (explanation.roundRobin) lines.push(t('explain_rr'));
  return (
    <section className="desk-why" aria-labelledby="why-title" data-testid="explanation">
      <h3 id="why-title">{t('whyThisTicket')}</h3>
      {lines.map((line) => <p key={line} className="desk-why__line">{line}</p>)}
      {explanation.reason && (
        <p className="desk-why__engine"><span>{t('engineDetail')} : </span><span lang="en" dir="ltr">{explanation.reason}</span></p>
      )}
    </section>
  );
}

export type ActionId = Exclude<ShortcutId, 'callNext' | 'break' | 'help'>;

export type TicketActionDef = Readonly<{ id: ActionId; label: string; enabled: boolean; tone: 'primary' | 'secondary' | 'danger' | 'ghost' }>;

export function ActionButton({ def, busy, onRun }: Readonly<{ def: TicketActionDef; busy: boolean; onRun: (id: ActionId) => void }>) {
  const key = SHORTCUTS[def.id].label;
  return (
    <button type="button" className={`sq-btn sq-btn--${def.tone} sq-btn--lg desk-action`} disabled={!def.enabled || busy}
      aria-keyshortcuts={key} data-action={def.id} onClick={() => onRun(def.id)}>
      <span>{def.label}</span>
      <kbd aria-hidden="true">{key}</kbd>
    </button>
  );
}

export function TicketPanel({ ticket, explanation, actions, busy, onRun }: Readonly<{
  ticket: Ticket | null; explanation: Explanation | undefined; actions: readonly TicketActionDef[]; busy: boolean; onRun: (id: ActionId) => void;
}>) {
  const { t, formatTime } = useI18n<AgentKey>();
  return (
    <section className={`desk-card desk-ticket${ticket ? ` is-${ticket.status}` : ' is-empty'}`} aria-labelledby="ticket-title" data-testid="current-ticket">
      <h2 id="ticket-title" className="desk-card__title">{t('currentTicket')}</h2>
      {!ticket ? (
        <div className="desk-empty">
          <p className="desk-empty__title">{t('noCurrentTicket')}</p>
          <p>{t('noCurrentHint')}</p>
        </div>
      ) : (
        <>
          <div className="desk-ticket__head">
            <div>
              <p className="desk-ticket__number" dir="ltr" data-testid="current-number">{ticket.number}</p>
              <p className="desk-ticket__queue"><bdi>{ticket.queue_name}</bdi></p>
              <p className="desk-ticket__meta">
                <Badge tone={ticket.status === 'en_service' ? 'ok' : 'info'}>
                  <span data-testid="current-status">{ticketStatusLabel(t, ticket.status)}</span>
                </Badge>
                {ticket.priority > 0 && <Badge tone="warn">{t('priorityN', { n: ticket.priority })}</Badge>}
                {ticket.recall_count > 0 && <Badge>{t('recalled', { n: ticket.recall_count })}</Badge>}
                {ticket.transferred_from && <Badge>{t('transferredIn')}</Badge>}
                <span className="desk-ticket__arrived">{t('col_arrived')} {formatTime(ticket.created_at)}</span>
              </p>
            </div>
            <ServiceTimer ticket={ticket} />
          </div>
          <CallSeen ticket={ticket} />
          {explanation && <ExplanationView explanation={explanation} />}
        </>
      )}
      <div className="desk-actions" role="group" aria-label={t('actions')}>
        {actions.map((def) => <ActionButton key={def.id} def={def} busy={busy} onRun={onRun} />)}
      </div>
    </section>
  );
}

export function HeldTickets({ tickets, busy, disabled, onResume }: Readonly<{
  tickets: readonly Ticket[]; busy: boolean; disabled: boolean; onResume: (ticket: Ticket) => void;
}>) {
  const { t, formatTime } = useI18n<AgentKey>();
  if (tickets.length === 0) return null;
  return (
    <section className="desk-card desk-held" aria-labelledby="held-title">
      <h2 id="held-title" className="desk-card__title">{t('heldTickets')}</h2>
      <ul>
        {tickets.map((ticket) => (
          <li key={ticket.id}>
            <span className="desk-held__number" dir="ltr">{ticket.number}</span>
            <span className="desk-held__info"><bdi>{ticket.customer_name || ticket.queue_name}</bdi><small> · {t('heldSince', { time: formatTime(ticket.called_at ?? ticket.created_at) })}</small></span>
            <button type="button" className="sq-btn sq-btn--secondary" disabled={busy || disabled} onClick={() => onResume(ticket)}>
              {t('resumeTicket', { number: ticket.number })}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

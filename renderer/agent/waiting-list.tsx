import { useI18n } from '../shared/i18n.tsx';
import { Badge } from '../shared/ui.tsx';
import type { Ticket } from './desk-state.ts';
import type { AgentKey } from './i18n.ts';

/** The live list of tickets waiting in the agent's queues, soonest first, with position and ETA. */
export function WaitingList({ tickets }: Readonly<{ tickets: readonly Ticket[] }>) {
  const { t, formatMinutes, formatTime } = useI18n<AgentKey>();
  return (
    <section className="desk-card desk-waiting" aria-labelledby="waiting-title" data-testid="waiting-list">
      <header className="desk-waiting__head">
        <h2 id="waiting-title" className="desk-card__title">{t('waitingTitle')}</h2>
        <Badge tone={tickets.length > 0 ? 'info' : 'neutral'}><span aria-live="polite" data-testid="waiting-count">{t('waitingCount', { n: tickets.length })}</span></Badge>
      </header>
      {tickets.length === 0 ? <p className="desk-muted desk-waiting__empty">{t('waitingEmpty')}</p> : (
        <div className="desk-waiting__scroll" tabIndex={0} role="region" aria-labelledby="waiting-title">
          <table className="desk-table">
            <thead>
              <tr>
                <th scope="col">{t('col_number')}</th>
                <th scope="col">{t('col_customer')}</th>
                <th scope="col" className="is-num">{t('col_position')}</th>
                <th scope="col" className="is-num">{t('col_eta')}</th>
              </tr>
            </thead>
            <tbody>
              {tickets.map((ticket) => (
                <tr key={ticket.id} data-number={ticket.number}>
                  <td>
                    <span className="desk-table__number" dir="ltr">{ticket.number}</span>
                    {ticket.priority > 0 && <span className="desk-table__prio" title={t('priorityN', { n: ticket.priority })}>★<span className="sq-visually-hidden">{t('priorityN', { n: ticket.priority })}</span></span>}
                    <span className="desk-table__queue"><bdi>{ticket.queue_name}</bdi></span>
                    {ticket.remote && <Badge tone="warn">{t('remoteTicket')}</Badge>}
                  </td>
                  <td>
                    <span className="desk-table__customer"><bdi>{ticket.customer_name || '—'}</bdi></span>
                    <span className="desk-table__since">{t('col_arrived')} {formatTime(ticket.created_at)}</span>
                  </td>
                  <td className="is-num">{ticket.position ?? '–'}</td>
                  <td className="is-num">{formatMinutes(ticket.eta_seconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

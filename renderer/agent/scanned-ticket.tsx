import { useI18n } from '../shared/i18n.tsx';
import { Badge, Button } from '../shared/ui.tsx';
import { CustomerCard } from './customer-card.tsx';
import type { Scanned } from './desk-state.ts';
import { Modal } from './dialogs.tsx';
import { ticketStatusLabel } from './errors.ts';
import type { AgentKey } from './i18n.ts';

/**
 * The record of the ticket a scanner at this counter just read: an appointment it checked in (the
 * ticket it became) or a ticket's QR. The customer's card follows, as for the current ticket.
 */
export function ScannedTicketDialog({ scanned, canWriteCustomer, onClose, onError, onSaved }: Readonly<{
  scanned: Scanned; canWriteCustomer: boolean; onClose: () => void; onError: (text: string) => void; onSaved: () => void;
}>) {
  const { t, formatTime, formatMinutes } = useI18n<AgentKey>();
  const { ticket } = scanned;
  return (
    <Modal title={t('scannedTitle', { number: ticket.number })} onClose={onClose} wide>
      <div className="desk-scanned" data-testid="scanned-ticket" data-ticket={ticket.id}>
        {scanned.checkedIn && <p className="sq-banner sq-banner--ok" role="status">{t('scannedCheckedIn', { number: ticket.number })}</p>}
        <dl className="desk-scanned__facts">
          <div><dt>{t('col_number')}</dt><dd dir="ltr" className="desk-scanned__number">{ticket.number}</dd></div>
          <div><dt>{t('scannedQueue')}</dt><dd><bdi>{ticket.queue_name}</bdi></dd></div>
          <div><dt>{t('scannedStatus')}</dt><dd><Badge tone="info">{ticketStatusLabel(t, ticket.status)}</Badge></dd></div>
          {ticket.status === 'en_attente' && (
            <div><dt>{t('col_position')}</dt><dd>{ticket.position ?? '–'} · {formatMinutes(ticket.eta_seconds)}</dd></div>
          )}
          <div><dt>{t('col_arrived')}</dt><dd>{formatTime(ticket.created_at)}</dd></div>
          {ticket.counter && <div><dt>{t('scannedCounter')}</dt><dd><bdi>{ticket.counter}</bdi></dd></div>}
        </dl>
        <CustomerCard ticket={ticket} canWrite={canWriteCustomer} onError={onError} onSaved={onSaved} />
        <div className="desk-dialog__actions">
          <Button tone="secondary" data-autofocus onClick={onClose}>{t('closeDialog')}</Button>
        </div>
      </div>
    </Modal>
  );
}

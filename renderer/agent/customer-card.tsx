import { useEffect, useId, useState } from 'react';
import type { CustomerDto } from '../../branch-server/contract/customers.contract.ts';
import { useI18n } from '../shared/i18n.tsx';
import { Badge, Banner, Button, Spinner } from '../shared/ui.tsx';
import type { Ticket } from './desk-state.ts';
import { errorMessage, ticketStatusLabel } from './errors.ts';
import type { AgentKey } from './i18n.ts';
import { sessions } from './session.ts';

type Loaded = Readonly<{ customer: CustomerDto; history: readonly Ticket[] }>;

function notesOf(customer: CustomerDto): string {
  const notes = customer.metadata['notes'];
  return typeof notes === 'string' ? notes : '';
}

/**
 * Who is at the counter: the name and phone from the ticket and, for a known customer, their record,
 * recent visits and notes (kept in the customer's `metadata.notes`). Notes are editable only with
 * the write:customer scope; agents hold read:customer, so for them they are read-only.
 */
export function CustomerCard({ ticket, canWrite, onError, onSaved }: Readonly<{
  ticket: Ticket | null; canWrite: boolean; onError: (message: string) => void; onSaved: () => void;
}>) {
  const { t, lang, formatTime } = useI18n<AgentKey>();
  const locale = lang === 'ar' ? 'ar-u-nu-latn' : lang === 'en' ? 'en-GB' : 'fr-FR';
  const customerId = ticket?.customer ?? null;
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [failed, setFailed] = useState(false);
  const [notes, setNotes] = useState('');
  const [saving, setSaving] = useState(false);
  const notesId = useId();

  useEffect(() => {
    setLoaded(null);
    setFailed(false);
    if (!customerId) return;
    let cancelled = false;
    Promise.all([
      sessions.call('getCustomer', { params: { id: customerId } }),
      sessions.call('listTickets', { query: { customer: customerId, page_size: 6 } }),
    ]).then(([customer, tickets]) => {
      if (cancelled) return;
      setLoaded({ customer, history: tickets.results });
      setNotes(notesOf(customer));
    }).catch(() => !cancelled && setFailed(true));
    return () => {
      cancelled = true;
    };
  }, [customerId]);

  const save = async () => {
    if (!loaded) return;
    setSaving(true);
    try {
      // Objects are replaced whole: keep the other metadata keys.
      const customer = await sessions.call('updateCustomer', {
        params: { id: loaded.customer.id },
        body: { metadata: { ...loaded.customer.metadata, notes } },
      });
      setLoaded({ ...loaded, customer });
      onSaved();
    } catch (error) {
      onError(errorMessage(t, error));
    } finally {
      setSaving(false);
    }
  };

  const customer = loaded?.customer;
  const name = customer ? `${customer.first_name} ${customer.last_name}`.trim() : ticket?.customer_name ?? '';
  const phone = customer?.phone || ticket?.customer_phone || '';
  const history = loaded?.history.filter((h) => h.id !== ticket?.id && h.id !== ticket?.transferred_from) ?? [];

  return (
    <section className="desk-card desk-customer" aria-labelledby="customer-title" data-testid="customer-card">
      <h2 id="customer-title" className="desk-card__title">{t('customerTitle')}</h2>
      {!ticket ? <p className="desk-muted">{t('noCustomer')}</p> : (
        <>
          <p className="desk-customer__name">{name ? <bdi>{name}</bdi> : t('anonymous')}</p>
          <dl className="desk-customer__facts">
            {phone && <><dt>{t('phone')}</dt><dd dir="ltr">{phone}</dd></>}
            {customer?.email && <><dt>{t('emailShort')}</dt><dd dir="ltr">{customer.email}</dd></>}
          </dl>
          {customer && customer.tags.length > 0 && (
            <p className="desk-customer__tags" aria-label={t('tags')}>{customer.tags.map((tag) => <Badge key={tag} tone="info">{tag}</Badge>)}</p>
          )}
          {customerId && !loaded && !failed && <Spinner label={t('loading')} />}
          {failed && <Banner tone="warn">{t('customerUnavailable')}</Banner>}
          {loaded && (
            <>
              <h3 className="desk-customer__sub">{t('history')}</h3>
              {history.length === 0 ? <p className="desk-muted">{t('noHistory')}</p> : (
                <ul className="desk-history">
                  {history.slice(0, 5).map((h) => (
                    <li key={h.id}>
                      <span className="desk-history__number" dir="ltr">{h.number}</span>
                      <bdi>{h.queue_name}</bdi>
                      <span className="desk-muted">{new Date(h.created_at).toLocaleDateString(locale)} {formatTime(h.created_at)}</span>
                      <span>{ticketStatusLabel(t, h.status)}</span>
                    </li>
                  ))}
                </ul>
              )}
              <h3 className="desk-customer__sub"><label htmlFor={notesId}>{t('notes')}</label></h3>
              {canWrite ? (
                <>
                  <textarea id={notesId} className="desk-notes" dir="auto" rows={4} maxLength={2000} value={notes} onChange={(e) => setNotes(e.target.value)} />
                  <Button tone="secondary" disabled={saving || notes === notesOf(loaded.customer)} onClick={save}>{t('saveNotes')}</Button>
                </>
              ) : (
                <>
                  <textarea id={notesId} className="desk-notes" dir="auto" rows={3} readOnly value={notes || t('noNotes')} aria-describedby={`${notesId}-ro`} />
                  <p id={`${notesId}-ro`} className="sq-field__hint">{t('notesReadOnly')}</p>
                </>
              )}
            </>
          )}
        </>
      )}
    </section>
  );
}

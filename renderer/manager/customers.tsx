import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { z } from 'zod';
import type { ConsentDto } from '../../branch-server/contract/customer-data.contract.ts';
import type { CustomerDto } from '../../branch-server/contract/customers.contract.ts';
import { customerName, erasureWord, typedMatches } from '../shared/customer-erasure.ts';
import { Badge, Banner, Button, Card, Field } from '../shared/ui.tsx';
import { useManager } from './context.tsx';
import { downloadText } from './csv.ts';
import { formatDateTime } from './format.ts';
import { describeFailure, FormDialog, FormError, SectionHeader, TableWrap, useLoad, useSubmit, useT, useToast } from './kit.tsx';

type Customer = z.output<typeof CustomerDto>;
type Consent = z.output<typeof ConsentDto>;
const PAGE_SIZE = 25;

/**
 * Customers' data rights (GDPR): find a customer, see the consents they gave or withdrew (when, and
 * through which channel), download everything the branch holds on them, and erase them everywhere.
 */
export function CustomersSection() {
  const { api } = useManager();
  const { t, lang } = useT();
  const [draft, setDraft] = useState('');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<Customer | null>(null);
  const list = useLoad(() => api.call('listCustomers', { query: { page, page_size: PAGE_SIZE, ...(search ? { search } : {}) } }), [api, page, search]);
  const pages = list.data ? Math.max(1, Math.ceil(list.data.count / PAGE_SIZE)) : 1;

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setPage(1);
    setSelected(null);
    setSearch(draft.trim());
  };

  return (
    <section className="mg-section" aria-labelledby="section-title">
      <SectionHeader title={t('navCustomers')} lead={t('customersLead')} />
      <form className="mg-search" role="search" onSubmit={apply} aria-label={t('customerSearch')}>
        <Field label={t('customerSearch')} type="search" hint={t('customerSearchHint')} value={draft} onChange={(e) => setDraft(e.target.value)} />
        <Button type="submit">{t('customerSearchGo')}</Button>
      </form>
      {list.failure && <Banner>{list.failure.message}</Banner>}
      <Card title={t('customersFound', { count: list.data?.count ?? 0 })}>
        <TableWrap label={t('navCustomers')}>
          <table className="mg-table">
            <caption className="sq-visually-hidden">{t('navCustomers')}</caption>
            <thead><tr><th scope="col">{t('colName')}</th><th scope="col">{t('fieldPhone')}</th><th scope="col">{t('email')}</th><th scope="col">{t('colCreated')}</th><th scope="col"><span className="sq-visually-hidden">{t('colActions')}</span></th></tr></thead>
            <tbody>
              {list.data?.results.length === 0 && <tr><td colSpan={5} className="mg-empty">{t('noCustomers')}</td></tr>}
              {list.data?.results.map((c) => (
                <tr key={c.id} data-customer={c.id} className={selected?.id === c.id ? 'is-selected' : undefined}>
                  <th scope="row">{customerName(c) || <span className="mg-muted">{t('customerNoName')}</span>}</th>
                  <td dir="ltr">{c.phone || '–'}</td>
                  <td dir="ltr">{c.email || '–'}</td>
                  <td>{formatDateTime(lang, c.created_at)}</td>
                  <td className="mg-actions">
                    <Button tone="secondary" aria-pressed={selected?.id === c.id} onClick={() => setSelected(c)} aria-label={t('customerOpenNamed', { name: erasureWord(c) })}>{t('customerOpen')}</Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        {!list.failure && pages > 1 && (
          <nav className="mg-pager" aria-label={t('pagination')}>
            <Button tone="ghost" disabled={page <= 1} onClick={() => setPage(page - 1)}>{t('previousPage')}</Button>
            <span aria-live="polite">{t('pageOf', { page, pages })}</span>
            <Button tone="ghost" disabled={page >= pages} onClick={() => setPage(page + 1)}>{t('nextPage')}</Button>
          </nav>
        )}
      </Card>
      {selected && (
        <CustomerRights key={selected.id} customer={selected} onErased={() => {
          setSelected(null);
          list.reload();
        }} />
      )}
    </section>
  );
}

function CustomerRights({ customer, onErased }: Readonly<{ customer: Customer; onErased: () => void }>) {
  const { api } = useManager();
  const { t, lang } = useT();
  const notify = useToast();
  const [exporting, setExporting] = useState(false);
  const [erasing, setErasing] = useState(false);
  const consents = useLoad(() => api.call('listConsents', { params: { id: customer.id } }), [api, customer.id]);
  const title = customerName(customer) || customer.phone || customer.email || t('customerNoName');
  const region = useRef<HTMLDivElement>(null);
  useEffect(() => {
    region.current?.focus();
    region.current?.scrollIntoView?.({ block: 'start' });
  }, []);

  const exportData = async () => {
    setExporting(true);
    try {
      const data = await api.call('exportCustomer', { params: { id: customer.id } });
      // JSON is read by programs: no byte-order mark (RFC 8259 §8.1).
      downloadText(`customer-${customer.id}.json`, `${JSON.stringify(data, null, 2)}\n`, 'application/json', { bom: false });
      notify(t('customerExported'));
    } catch (error) {
      notify(describeFailure(error, t).message, { tone: 'danger' });
    } finally {
      setExporting(false);
    }
  };

  return (
    // Opening a customer moves focus to their record, so keyboard and screen-reader users land on it.
    <div ref={region} className="mg-customer" role="region" aria-label={t('customerRightsTitle', { name: title })} tabIndex={-1}>
      <Card title={t('customerRightsTitle', { name: title })} actions={(
        <>
          <Button tone="secondary" onClick={() => void exportData()} disabled={exporting}>{exporting ? t('customerExporting') : t('customerExport')}</Button>
          <Button tone="danger" onClick={() => setErasing(true)}>{t('customerErase')}</Button>
        </>
      )}>
        <dl className="mg-sync__facts" data-testid="customer-facts">
          <dt>{t('fieldPhone')}</dt><dd dir="ltr">{customer.phone || '–'}</dd>
          <dt>{t('email')}</dt><dd dir="ltr">{customer.email || '–'}</dd>
          {customer.external_ref && <><dt>{t('customerExternalRef')}</dt><dd dir="ltr">{customer.external_ref}</dd></>}
          <dt>{t('customerNotify')}</dt>
          <dd>{[customer.notify_sms && 'SMS', customer.notify_email && 'e-mail', customer.notify_whatsapp && 'WhatsApp'].filter(Boolean).join(', ') || t('customerNotifyNone')}</dd>
        </dl>
        <h3 className="mg-subtitle">{t('consentsTitle')}</h3>
        {consents.failure && <Banner>{consents.failure.message}</Banner>}
        <TableWrap label={t('consentsTitle')}>
          <table className="mg-table mg-table--dense" data-testid="consents">
            <caption className="sq-visually-hidden">{t('consentsTitle')}</caption>
            <thead><tr><th scope="col">{t('colWhen')}</th><th scope="col">{t('consentPurpose')}</th><th scope="col">{t('consentState')}</th><th scope="col">{t('consentChannel')}</th></tr></thead>
            <tbody>
              {consents.data?.length === 0 && <tr><td colSpan={4} className="mg-empty">{t('noConsents')}</td></tr>}
              {[...(consents.data ?? [])].reverse().map((c: Consent) => (
                <tr key={c.id} data-consent={c.purpose}>
                  <td>{formatDateTime(lang, c.recorded_at)}</td>
                  <th scope="row">{t(`consentPurpose_${c.purpose}`)}</th>
                  <td><Badge tone={c.granted ? 'ok' : 'warn'}>{c.granted ? t('consentGranted') : t('consentWithdrawn')}</Badge></td>
                  <td>{t(`consentChannel_${c.channel}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        {erasing && <EraseDialog customer={customer} onClose={() => setErasing(false)} onErased={() => {
          setErasing(false);
          notify(t('customerErased'));
          onErased();
        }} />}
      </Card>
    </div>
  );
}

function EraseDialog({ customer, onClose, onErased }: Readonly<{ customer: Customer; onClose: () => void; onErased: () => void }>) {
  const { api } = useManager();
  const { t } = useT();
  const [typed, setTyped] = useState('');
  const { busy, failure, run } = useSubmit();
  const word = erasureWord(customer);
  const matches = typedMatches(typed, word);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!matches) return;
    const done = await run(async () => {
      await api.call('deleteCustomer', { params: { id: customer.id } });
      return true;
    });
    if (done) onErased();
  };
  return (
    <FormDialog title={t('customerEraseTitle', { name: word })} onClose={onClose}>
      <form className="mg-form" onSubmit={submit} noValidate>
        <FormError failure={failure} />
        <Banner tone="warn">{t('customerEraseWarning')}</Banner>
        <p>{t('customerEraseBody')}</p>
        <Field label={t('customerEraseType', { word })} autoComplete="off" spellCheck={false} value={typed} onChange={(e) => setTyped(e.target.value)}
          error={typed && !matches ? t('customerEraseMismatch') : null} />
        <div className="mg-form__actions">
          <Button tone="ghost" onClick={onClose}>{t('cancel')}</Button>
          <Button type="submit" tone="danger" disabled={busy || !matches}>{t('customerEraseConfirm')}</Button>
        </div>
      </form>
    </FormDialog>
  );
}

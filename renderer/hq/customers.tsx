import { useId, useState, type FormEvent } from 'react';
import type { z } from 'zod';
import type { CustomerDto } from '../../branch-server/contract/customers.contract.ts';
import { downloadText } from '../manager/csv.ts';
import { customerName, erasureWord, typedMatches } from '../shared/customer-erasure.ts';
import { Banner, Button, Field, useModalDialog } from '../shared/ui.tsx';
import { formatDateTime, LoadState, Section, useHq, useLoad, useT } from './context.tsx';

type Customer = z.output<typeof CustomerDto>;
const PAGE_SIZE = 25;

/**
 * Customers at HQ and their data rights: find one across every branch, download what the cloud holds
 * on them (managers), erase them everywhere (managers; the erasure reaches each branch with its next sync).
 */
export function CustomersPage() {
  const { api, can } = useHq();
  const { t, lang } = useT();
  const manage = can('manage');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [erasing, setErasing] = useState<Customer | null>(null);
  const [notice, setNotice] = useState<{ tone: 'ok' | 'danger'; text: string } | null>(null);
  const rows = useLoad(() => api.call('listCustomers', { query: { page, page_size: PAGE_SIZE, ...(search ? { search } : {}) } }), [api, page, search]);
  const pages = rows.data ? Math.max(1, Math.ceil(rows.data.count / PAGE_SIZE)) : 1;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setPage(1);
    setNotice(null);
    setSearch(String(new FormData(event.currentTarget).get('search') ?? '').trim());
  };

  const exportData = async (c: Customer) => {
    try {
      const data = await api.call('exportCustomer', { params: { id: c.id } });
      downloadText(`customer-${c.id}.json`, `${JSON.stringify(data, null, 2)}\n`, 'application/json', { bom: false });
      setNotice({ tone: 'ok', text: t('customerExported') });
    } catch (e) {
      setNotice({ tone: 'danger', text: t('error', { message: (e as Error).message }) });
    }
  };

  return (
    <Section title={t('customersTitle')} lead={t('customersLead')}>
      <form className="mg-search" role="search" onSubmit={submit} aria-label={t('customerSearch')}>
        <Field label={t('customerSearch')} name="search" type="search" hint={t('customerSearchHint')} defaultValue={search} />
        <Button type="submit">{t('search')}</Button>
      </form>
      {notice && <Banner tone={notice.tone}>{notice.text}</Banner>}
      <LoadState state={rows}>
        <div className="mg-table-wrap" role="region" aria-label={t('customersTitle')} tabIndex={0}>
          <table className="mg-table" id="hq-customers">
            <thead><tr><th scope="col">{t('customerName')}</th><th scope="col">{t('phone')}</th><th scope="col">{t('email')}</th><th scope="col">{t('customerCreated')}</th>{manage && <th scope="col"><span className="sq-visually-hidden">{t('actions')}</span></th>}</tr></thead>
            <tbody>
              {rows.data?.results.map((c) => (
                <tr key={c.id} data-customer={c.id}>
                  <th scope="row">{customerName(c) || <span className="mg-muted">{t('customerNoName')}</span>}</th>
                  <td dir="ltr">{c.phone || '–'}</td>
                  <td dir="ltr">{c.email || '–'}</td>
                  <td>{formatDateTime(c.created_at, lang)}</td>
                  {manage && (
                    <td className="mg-actions">
                      <Button tone="secondary" onClick={() => void exportData(c)} aria-label={t('customerExportNamed', { name: erasureWord(c) })}>{t('customerExport')}</Button>{' '}
                      <Button tone="danger" onClick={() => setErasing(c)} aria-label={t('customerEraseNamed', { name: erasureWord(c) })}>{t('customerErase')}</Button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          {rows.data?.results.length === 0 && <p className="mg-empty">{t('none')}</p>}
        </div>
        {pages > 1 && (
          <nav className="mg-pager" aria-label={t('pagination')}>
            <Button tone="ghost" disabled={page <= 1} onClick={() => setPage(page - 1)}>{t('previousPage')}</Button>
            <span aria-live="polite">{t('pageOf', { page, pages })}</span>
            <Button tone="ghost" disabled={page >= pages} onClick={() => setPage(page + 1)}>{t('nextPage')}</Button>
          </nav>
        )}
      </LoadState>
      {erasing && <EraseDialog customer={erasing} onClose={() => setErasing(null)} onErased={() => {
        setErasing(null);
        setNotice({ tone: 'ok', text: t('customerErased') });
        rows.reload();
      }} />}
    </Section>
  );
}

/** A modal that asks for the customer's name before an irreversible erasure; Escape cancels. */
function EraseDialog({ customer, onClose, onErased }: Readonly<{ customer: Customer; onClose: () => void; onErased: () => void }>) {
  const { api } = useHq();
  const { t } = useT();
  const ref = useModalDialog();
  const titleId = useId();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const word = erasureWord(customer);
  const matches = typedMatches(typed, word);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!matches) return;
    setBusy(true);
    setError(null);
    try {
      await api.call('deleteCustomer', { params: { id: customer.id } });
      onErased();
    } catch (e) {
      setError(t('error', { message: (e as Error).message }));
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} className="mg-dialog mg-dialog--form" aria-labelledby={titleId} onCancel={(e) => {
      e.preventDefault();
      onClose();
    }}>
      <h2 id={titleId}>{t('customerEraseTitle', { name: word })}</h2>
      <form className="mg-form" onSubmit={submit} noValidate>
        {error && <Banner>{error}</Banner>}
        <Banner tone="warn">{t('customerEraseWarning')}</Banner>
        <p>{t('customerEraseBody')}</p>
        <Field label={t('customerEraseType', { word })} autoComplete="off" spellCheck={false} value={typed} onChange={(e) => setTyped(e.target.value)}
          error={typed && !matches ? t('customerEraseMismatch') : null} />
        <div className="mg-form__actions">
          <Button tone="ghost" onClick={onClose}>{t('cancel')}</Button>
          <Button type="submit" tone="danger" disabled={busy || !matches}>{t('customerEraseConfirm')}</Button>
        </div>
      </form>
    </dialog>
  );
}

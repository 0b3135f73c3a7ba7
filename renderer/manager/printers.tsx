import { useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import type { z } from 'zod';
import type { PreviewDto, PrintJobDto } from '../../branch-server/contract/printing.contract.ts';
import type { TicketLogoDto } from '../../branch-server/contract/ticket-logo.contract.ts';
import { ApiError } from '../shared/api.ts';
import { Badge, Banner, Button, Card, Field, Select } from '../shared/ui.tsx';
import { useManager } from './context.tsx';
import { byName, listAll, type Device, type Printer } from './data.ts';
import { formatDateTime } from './format.ts';
import type { ManagerKey } from './i18n.ts';
import { AdminOnly, Checkboxes, describeFailure, FormDialog, FormError, SectionHeader, TableWrap, useConfirm, useLoad, useSubmit, useT, useToast } from './kit.tsx';

type Job = z.output<typeof PrintJobDto>;
type Preview = z.output<typeof PreviewDto>;
type Logo = z.output<typeof TicketLogoDto>;
type Transport = Printer['transport'];

/** Health is re-read this often while the section is open (a job also updates it at once server side). */
const HEALTH_POLL_MS = 5_000;

const STATE_KEY: Readonly<Record<string, ManagerKey>> = {
  ok: 'printerStateOk', 'near-end': 'printerStateNearEnd', 'paper-out': 'printerStatePaperOut', 'cover-open': 'printerStateCoverOpen',
  offline: 'printerStateOffline', unknown: 'printerStateUnknown',
};
const STATE_TONE: Readonly<Record<string, 'ok' | 'warn' | 'danger' | 'neutral'>> = {
  ok: 'ok', 'near-end': 'warn', 'paper-out': 'danger', 'cover-open': 'danger', offline: 'danger', unknown: 'neutral',
};
const JOB_KEY: Readonly<Record<Job['status'], ManagerKey>> = {
  pending: 'jobPending', printing: 'jobPrinting', waiting: 'jobWaiting', printed: 'jobPrinted', failed: 'jobFailed',
};
const JOB_TONE = { pending: 'neutral', printing: 'info', waiting: 'warn', printed: 'ok', failed: 'danger' } as const;
const TRANSPORT_KEY: Readonly<Record<Transport, ManagerKey>> = { network: 'transportNetwork', serial: 'transportSerial', usb: 'transportUsb' };

function address(printer: Printer): string {
  switch (printer.transport) {
    case 'network': return `${printer.host ?? ''}:${printer.port ?? 9100}`;
    case 'serial': return `${printer.path ?? ''} · ${printer.baud_rate ?? 9600} bauds`;
    case 'usb': return printer.path ?? `${hex(printer.vendor_id)}:${hex(printer.product_id)}`;
  }
}
const hex = (n: number | null) => (n === null ? '?' : `0x${n.toString(16).padStart(4, '0')}`);

function svgUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/**
 * Printers: their health as last read from the printer (DLE EOT before each job), where they are
 * (on the branch server, or on a kiosk PC through its print agent), their job history, a test page
 * and a preview of the ticket; and the logo printed at the head of every ticket.
 */
export function PrintersSection() {
  const { api, can } = useManager();
  const { t, lang } = useT();
  const confirm = useConfirm();
  const notify = useToast();
  const admin = can('manage:settings');
  const data = useLoad(async () => {
    const [printers, devices] = await Promise.all([listAll(api, 'listPrinters'), admin ? listAll(api, 'listDevices') : Promise.resolve([])]);
    return { printers: byName(printers), agents: byName(devices.filter((d) => d.type === 'print_agent' && d.status !== 'revoked')) };
  }, [api, admin]);
  const { reload } = data;
  useEffect(() => {
    const timer = setInterval(reload, HEALTH_POLL_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const [editing, setEditing] = useState<Printer | 'new' | null>(null);
  const [jobsOf, setJobsOf] = useState<Printer | null>(null);
  const [previewOf, setPreviewOf] = useState<Printer | null>(null);
  const agentName = new Map((data.data?.agents ?? []).map((a) => [a.id, a.name]));
  const printerName = new Map((data.data?.printers ?? []).map((p) => [p.id, p.name]));
  const troubled = (data.data?.printers ?? []).filter((p) => ['paper-out', 'cover-open', 'offline', 'near-end'].includes(p.status));

  const test = async (printer: Printer) => {
    try {
      await api.call('testPrinter', { params: { id: printer.id } });
      notify(t('printerTestSent', { name: printer.name }));
      reload();
    } catch (error) {
      notify(describeFailure(error, t).message, { tone: 'danger' });
    }
  };
  const remove = async (printer: Printer) => {
    if (!await confirm({ title: t('printerDeleteTitle', { name: printer.name }), body: t('printerDeleteBody'), confirm: t('delete') })) return;
    try {
      await api.call('deletePrinter', { params: { id: printer.id } });
      reload();
      notify(t('deleted'));
    } catch (error) {
      notify(describeFailure(error, t).message, { tone: 'danger' });
    }
  };

  return (
    <section className="mg-section" aria-labelledby="section-title">
      <SectionHeader title={t('navPrinters')} lead={t('printersLead')} actions={admin && <Button onClick={() => setEditing('new')}>{t('printerNew')}</Button>} />
      {data.failure && <Banner>{data.failure.message}</Banner>}
      {troubled.map((p) => (
        <div key={p.id} className={`sq-banner sq-banner--${STATE_TONE[p.status] === 'warn' ? 'warn' : 'danger'}`} role="status" data-testid="printer-trouble" data-printer={p.id}>
          {t('printerTrouble', { name: p.name, state: t(STATE_KEY[p.status] ?? 'printerStateUnknown') })}{p.last_error ? ` ${p.last_error}` : ''}
        </div>
      ))}
      <Card title={t('printersList')}>
        <TableWrap label={t('printersList')}>
          <table className="mg-table">
            <caption className="sq-visually-hidden">{t('printersList')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('colName')}</th><th scope="col">{t('colConnection')}</th><th scope="col">{t('colPrinterState')}</th>
                <th scope="col">{t('colLastSeen')}</th><th scope="col">{t('colLastError')}</th><th scope="col"><span className="sq-visually-hidden">{t('colActions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {data.data?.printers.length === 0 && <tr><td colSpan={6} className="mg-empty">{t('noPrinters')}</td></tr>}
              {data.data?.printers.map((p) => (
                <tr key={p.id} data-printer={p.id}>
                  <th scope="row">
                    {p.name}
                    {p.fallback_printer_id && <span className="mg-muted mg-block">{t('printerFallsBackTo', { name: printerName.get(p.fallback_printer_id) ?? '?' })}</span>}
                  </th>
                  <td>
                    <span>{t(TRANSPORT_KEY[p.transport])}</span> <span dir="ltr" className="mg-muted">{address(p)}</span>
                    <span className="mg-muted mg-block">{p.agent_device_id ? t('printerViaAgent', { name: agentName.get(p.agent_device_id) ?? t('printAgent') }) : t('printerOnServer')}</span>
                  </td>
                  <td data-testid="printer-state" data-state={p.status}>
                    <Badge tone={STATE_TONE[p.status] ?? 'neutral'}>{t(STATE_KEY[p.status] ?? 'printerStateUnknown')}</Badge>
                  </td>
                  <td>{p.last_seen_at ? formatDateTime(lang, p.last_seen_at) : '–'}</td>
                  <td className="mg-wrap">{p.last_error || '–'}</td>
                  <td className="mg-actions mg-actions--wrap">
                    <Button tone="ghost" onClick={() => void test(p)} aria-label={t('printerTestNamed', { name: p.name })}>{t('printerTest')}</Button>
                    <Button tone="ghost" onClick={() => setJobsOf(p)} aria-label={t('printerJobsNamed', { name: p.name })}>{t('printerJobs')}</Button>
                    <Button tone="ghost" onClick={() => setPreviewOf(p)} aria-label={t('printerPreviewNamed', { name: p.name })}>{t('printerPreview')}</Button>
                    {admin && <Button tone="ghost" onClick={() => setEditing(p)} aria-label={t('editNamed', { name: p.name })}>{t('edit')}</Button>}
                    {admin && <Button tone="ghost" onClick={() => void remove(p)} aria-label={t('deleteNamed', { name: p.name })}>{t('delete')}</Button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Card>
      {admin ? <LogoCard /> : <AdminOnly />}
      {editing && data.data && (
        <FormDialog title={editing === 'new' ? t('printerNew') : t('printerEdit', { name: editing.name })} onClose={() => setEditing(null)}>
          <PrinterForm printer={editing === 'new' ? null : editing} printers={data.data.printers} agents={data.data.agents}
            onClose={() => setEditing(null)} onSaved={() => {
              setEditing(null);
              reload();
            }} />
        </FormDialog>
      )}
      {jobsOf && <JobsDialog printer={jobsOf} onClose={() => setJobsOf(null)} />}
      {previewOf && <PreviewDialog printer={previewOf} onClose={() => setPreviewOf(null)} />}
    </section>
  );
}

type Draft = {
  name: string; transport: Transport; host: string; port: string; path: string; baud_rate: string; vendor_id: string; product_id: string;
  agent_device_id: string; fallback_printer_id: string; paper_width: '58' | '80'; languages: Array<'fr' | 'en' | 'ar'>; header: string; footer: string;
};

function PrinterForm({ printer, printers, agents, onClose, onSaved }: Readonly<{
  printer: Printer | null; printers: readonly Printer[]; agents: readonly Device[]; onClose: () => void; onSaved: () => void;
}>) {
  const { api } = useManager();
  const { t } = useT();
  const notify = useToast();
  const profile = printer?.profile ?? {};
  const [draft, setDraft] = useState<Draft>({
    name: printer?.name ?? '', transport: printer?.transport ?? 'network', host: printer?.host ?? '', port: printer?.port ? String(printer.port) : '',
    path: printer?.path ?? '', baud_rate: printer?.baud_rate ? String(printer.baud_rate) : '',
    vendor_id: printer?.vendor_id !== null && printer?.vendor_id !== undefined ? hex(printer.vendor_id) : '',
    product_id: printer?.product_id !== null && printer?.product_id !== undefined ? hex(printer.product_id) : '',
    agent_device_id: printer?.agent_device_id ?? '', fallback_printer_id: printer?.fallback_printer_id ?? '',
    paper_width: profile['paper_width'] === 58 ? '58' : '80',
    languages: Array.isArray(profile['languages']) ? (profile['languages'] as Draft['languages']) : ['fr', 'en'],
    header: typeof profile['header'] === 'string' ? profile['header'] : '', footer: typeof profile['footer'] === 'string' ? profile['footer'] : '',
  });
  const { busy, failure, run, fieldError } = useSubmit();
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const text = (name: keyof Draft) => (e: ChangeEvent<HTMLInputElement>) => set({ [name]: e.target.value } as Partial<Draft>);
  const number = (value: string) => (value.trim() === '' ? null : Number(value));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const connection = draft.transport === 'network'
      ? { host: draft.host.trim() || null, port: number(draft.port) }
      : draft.transport === 'serial'
        ? { path: draft.path.trim() || null, baud_rate: number(draft.baud_rate) }
        : { path: draft.path.trim() || null, vendor_id: draft.vendor_id.trim() || null, product_id: draft.product_id.trim() || null };
    const body = {
      name: draft.name, transport: draft.transport, ...connection,
      agent_device_id: draft.agent_device_id || null, fallback_printer_id: draft.fallback_printer_id || null,
      profile: { ...profile, paper_width: Number(draft.paper_width), languages: draft.languages, header: draft.header, footer: draft.footer },
    };
    const saved = await run(() => (printer ? api.call('updatePrinter', { params: { id: printer.id }, body }) : api.call('createPrinter', { body })));
    if (!saved) return;
    notify(printer ? t('saved') : t('printerCreated', { name: saved.name }));
    onSaved();
  };

  return (
    <form className="mg-form" onSubmit={submit} noValidate>
      <FormError failure={failure} />
      <Field label={t('fieldName')} required value={draft.name} onChange={text('name')} error={fieldError('name')} />
      <Select label={t('fieldPrinterPlace')} value={draft.agent_device_id} onChange={(e) => set({ agent_device_id: e.target.value })}>
        <option value="">{t('printerOnServer')}</option>
        {agents.map((a) => <option key={a.id} value={a.id}>{t('printerViaAgent', { name: a.name })}</option>)}
      </Select>
      {fieldError('agent_device_id') && <p className="sq-field__error">{fieldError('agent_device_id')}</p>}
      <Select label={t('fieldTransport')} value={draft.transport} onChange={(e) => set({ transport: e.target.value as Transport })}>
        {(['network', 'serial', 'usb'] as const).map((tr) => <option key={tr} value={tr}>{t(TRANSPORT_KEY[tr])}</option>)}
      </Select>
      {draft.transport === 'network' && (
        <div className="mg-form__row">
          <Field label={t('fieldHost')} dir="ltr" value={draft.host} onChange={text('host')} error={fieldError('host')} />
          <Field label={t('fieldPort')} dir="ltr" inputMode="numeric" placeholder="9100" value={draft.port} onChange={text('port')} error={fieldError('port')} />
        </div>
      )}
      {draft.transport === 'serial' && (
        <div className="mg-form__row">
          <Field label={t('fieldDevicePath')} dir="ltr" placeholder="/dev/ttyUSB0" value={draft.path} onChange={text('path')} error={fieldError('path')} />
          <Field label={t('fieldBaudRate')} dir="ltr" inputMode="numeric" placeholder="9600" value={draft.baud_rate} onChange={text('baud_rate')} error={fieldError('baud_rate')} />
        </div>
      )}
      {draft.transport === 'usb' && (
        <div className="mg-form__row">
          <Field label={t('fieldVendorId')} dir="ltr" placeholder="0x04b8" value={draft.vendor_id} onChange={text('vendor_id')} error={fieldError('vendor_id')} />
          <Field label={t('fieldProductId')} dir="ltr" placeholder="0x0202" value={draft.product_id} onChange={text('product_id')} error={fieldError('product_id')} />
          <Field label={t('fieldUsbPath')} dir="ltr" placeholder="/dev/usb/lp0" value={draft.path} onChange={text('path')} error={fieldError('path')} />
        </div>
      )}
      <Select label={t('fieldFallback')} value={draft.fallback_printer_id} onChange={(e) => set({ fallback_printer_id: e.target.value })}>
        <option value="">{t('none')}</option>
        {printers.filter((p) => p.id !== printer?.id).map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
      </Select>
      {fieldError('fallback_printer_id') && <p className="sq-field__error">{fieldError('fallback_printer_id')}</p>}
      <Select label={t('fieldPaperWidth')} value={draft.paper_width} onChange={(e) => set({ paper_width: e.target.value as Draft['paper_width'] })}>
        <option value="80">80 mm</option>
        <option value="58">58 mm</option>
      </Select>
      <Checkboxes legend={t('fieldTicketLanguages')} hint={t('fieldTicketLanguagesHint')}
        options={[{ value: 'fr', label: 'Français' }, { value: 'en', label: 'English' }, { value: 'ar', label: 'العربية' }]}
        value={draft.languages} onChange={(languages) => set({ languages })} error={fieldError('profile')} />
      <Field label={t('fieldTicketHeader')} value={draft.header} onChange={text('header')} maxLength={200} />
      <Field label={t('fieldTicketFooter')} value={draft.footer} onChange={text('footer')} maxLength={300} />
      <div className="mg-form__actions">
        <Button tone="ghost" onClick={onClose}>{t('cancel')}</Button>
        <Button type="submit" disabled={busy}>{printer ? t('save') : t('create')}</Button>
      </div>
    </form>
  );
}

function JobsDialog({ printer, onClose }: Readonly<{ printer: Printer; onClose: () => void }>) {
  const { api } = useManager();
  const { t, lang } = useT();
  const jobs = useLoad(async () => (await api.call('printerJobs', { params: { id: printer.id }, query: { page_size: 50 } })).results as Job[], [api, printer.id]);
  return (
    <FormDialog title={t('printerJobsTitle', { name: printer.name })} onClose={onClose}>
      {jobs.failure && <Banner>{jobs.failure.message}</Banner>}
      <TableWrap label={t('printerJobsTitle', { name: printer.name })}>
        <table className="mg-table" data-testid="printer-jobs">
          <thead>
            <tr><th scope="col">{t('colCreated')}</th><th scope="col">{t('colJob')}</th><th scope="col">{t('colStatus')}</th><th scope="col">{t('colLastError')}</th></tr>
          </thead>
          <tbody>
            {jobs.data?.length === 0 && <tr><td colSpan={4} className="mg-empty">{t('noPrintJobs')}</td></tr>}
            {jobs.data?.map((job) => (
              <tr key={job.id} data-status={job.status}>
                <td>{formatDateTime(lang, job.created_at)}</td>
                <td>{job.kind === 'test' ? t('jobTest') : <><span dir="ltr">{job.ticket_number}</span>{job.kind === 'reprint' ? ` · ${t('jobReprint')}` : ''}</>}</td>
                <td><Badge tone={JOB_TONE[job.status]}>{t(JOB_KEY[job.status])}</Badge>{job.printed_on_printer_id && job.printed_on_printer_id !== printer.id ? <span className="mg-muted mg-block">{t('jobOnFallback')}</span> : null}</td>
                <td className="mg-wrap">{job.last_error || '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </FormDialog>
  );
}

function PreviewDialog({ printer, onClose }: Readonly<{ printer: Printer; onClose: () => void }>) {
  const { api } = useManager();
  const { t } = useT();
  const preview = useLoad(async () => (await api.call('printerPreview', { params: { id: printer.id } })) as Preview, [api, printer.id]);
  return (
    <FormDialog title={t('printerPreviewTitle', { name: printer.name })} onClose={onClose}>
      {preview.failure && <Banner>{preview.failure.message}</Banner>}
      {preview.data && (
        <figure className="mg-ticket-preview">
          <img src={svgUrl(preview.data.svg)} alt={t('printerPreviewAlt', { width: preview.data.paper_width_mm })} width={preview.data.width_dots / 1.5} />
          {preview.data.warnings.map((w) => <figcaption key={w} className="mg-muted">{w}</figcaption>)}
        </figure>
      )}
    </FormDialog>
  );
}

/** The logo at the head of every ticket: shown as it prints (1 bit), replaced by uploading a PNG. */
function LogoCard() {
  const { api } = useManager();
  const { t } = useT();
  const notify = useToast();
  const confirm = useConfirm();
  const logo = useLoad(async () => {
    try {
      return (await api.call('getTicketLogo')) as Logo;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }, [api]);
  const [mode, setMode] = useState<'threshold' | 'dither'>('threshold');
  const { busy, failure, run } = useSubmit();

  const upload = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    const image = await new Promise<string>((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.onerror = () => reject(reader.error ?? new Error('unreadable file'));
      reader.readAsDataURL(file);
    });
    const saved = await run(() => api.call('uploadTicketLogo', { body: { image, mode } }));
    if (!saved) return;
    notify(t('logoSaved'));
    logo.reload();
  };
  const remove = async () => {
    if (!await confirm({ title: t('logoDeleteTitle'), body: t('logoDeleteBody'), confirm: t('delete') })) return;
    const done = await run(() => api.call('deleteTicketLogo'));
    if (done === undefined) return;
    notify(t('deleted'));
    logo.reload();
  };

  return (
    <Card title={t('logoTitle')}>
      <p className="mg-muted">{t('logoLead')}</p>
      <FormError failure={failure} />
      <div className="mg-logo">
        {logo.data
          ? <img className="mg-logo__image" src={svgUrl(logo.data.svg)} alt={t('logoAlt', { width: logo.data.width, height: logo.data.height })} data-testid="ticket-logo" />
          : <p className="mg-empty">{logo.data === null ? t('logoNone') : ''}</p>}
        <div className="mg-logo__tools">
          <Select label={t('logoMode')} value={mode} onChange={(e) => setMode(e.target.value as typeof mode)}>
            <option value="threshold">{t('logoModeThreshold')}</option>
            <option value="dither">{t('logoModeDither')}</option>
          </Select>
          <label className="sq-btn sq-btn--secondary mg-file">
            <input type="file" accept="image/png" className="sq-visually-hidden" disabled={busy} onChange={(e) => void upload(e)} />
            {t('logoUpload')}
          </label>
          {logo.data && <Button tone="ghost" disabled={busy} onClick={() => void remove()}>{t('logoDelete')}</Button>}
        </div>
      </div>
    </Card>
  );
}

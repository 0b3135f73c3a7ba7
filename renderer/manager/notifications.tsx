import { useEffect, useState, type FormEvent } from 'react';
import type { z } from 'zod';
import type { NotificationDto, NotificationSettingsDto, ProviderDto } from '../../branch-server/contract/notifications.contract.ts';
import { Badge, Banner, Button, Card, Field, Select } from '../shared/ui.tsx';
import { useManager } from './context.tsx';
import { listAll } from './data.ts';
import { formatDateTime } from './format.ts';
import type { ManagerKey } from './i18n.ts';
import { AdminOnly, describeFailure, FormDialog, FormError, SectionHeader, TableWrap, TextArea, useConfirm, useLoad, useSubmit, useT, useToast } from './kit.tsx';

type Message = z.output<typeof NotificationDto>;
type Provider = z.output<typeof ProviderDto>;
type Settings = z.output<typeof NotificationSettingsDto>;
type MessageStatus = Message['status'];

const STATUS_TONE: Readonly<Record<MessageStatus, 'ok' | 'warn' | 'danger' | 'info' | 'neutral'>> = {
  pending: 'warn', sent: 'info', delivered: 'ok', failed: 'danger', dropped: 'neutral',
};
const STATUS_KEY: Readonly<Record<MessageStatus, ManagerKey>> = {
  pending: 'messagePending', sent: 'messageSent', delivered: 'messageDelivered', failed: 'messageFailed', dropped: 'messageDropped',
};

/** What each provider asks for: field name, label, input type; `secret` fields are write-only. */
type Spec = Readonly<{ name: string; label: ManagerKey; type?: 'text' | 'password' | 'number' | 'json'; required?: boolean }>;
const PROVIDERS: Readonly<Record<string, Readonly<{ channels: readonly Provider['channel'][]; fields: readonly Spec[] }>>> = {
  twilio: { channels: ['sms', 'whatsapp'], fields: [
    { name: 'account_sid', label: 'fieldAccountSid', required: true }, { name: 'auth_token', label: 'fieldAuthToken', type: 'password', required: true },
    { name: 'from', label: 'fieldSender', required: true },
  ] },
  gsm_modem: { channels: ['sms'], fields: [
    { name: 'path', label: 'fieldSerialPath', required: true }, { name: 'baud_rate', label: 'fieldBaudRate', type: 'number' }, { name: 'pin', label: 'fieldSimPin', type: 'password' },
  ] },
  smtp: { channels: ['email'], fields: [
    { name: 'host', label: 'fieldHost', required: true }, { name: 'port', label: 'fieldPort', type: 'number', required: true },
    { name: 'username', label: 'fieldUsername' }, { name: 'password', label: 'fieldPassword', type: 'password' }, { name: 'from', label: 'fieldSender', required: true },
  ] },
  sendgrid: { channels: ['email'], fields: [{ name: 'api_key', label: 'fieldApiKey', type: 'password', required: true }, { name: 'from', label: 'fieldSender', required: true }] },
  fcm: { channels: ['push'], fields: [{ name: 'service_account', label: 'fieldServiceAccount', type: 'json', required: true }] },
};
const CHANNEL_KEY: Readonly<Record<Provider['channel'], ManagerKey>> = { sms: 'channelSms', whatsapp: 'channelWhatsapp', email: 'channelEmail', push: 'channelPush' };

/**
 * Messages to customers: what was sent and its delivery status (managers), the anti-spam and
 * quiet-hours rules and the provider accounts (administrators; credentials are write-only).
 */
export function NotificationsSection() {
  const { api, can } = useManager();
  const { t, lang } = useT();
  const confirm = useConfirm();
  const notify = useToast();
  const admin = can('manage:settings');
  const [status, setStatus] = useState<MessageStatus | ''>('');
  const [adding, setAdding] = useState(false);
  const messages = useLoad(async () => (await api.call('listNotifications', { query: { page_size: 50, ...(status ? { status } : {}) } })).results, [api, status]);
  const providers = useLoad(async () => (admin ? (await api.call('listProviders', { query: { page_size: 100 } })).results : []), [api, admin]);

  const toggle = async (p: Provider) => {
    try {
      await api.call('updateProvider', { params: { id: p.id }, body: { is_active: !p.is_active } });
      providers.reload();
    } catch (error) {
      notify(describeFailure(error, t).message, { tone: 'danger' });
    }
  };
  const remove = async (p: Provider) => {
    if (!await confirm({ title: t('providerDeleteTitle', { name: `${p.provider} · ${t(CHANNEL_KEY[p.channel])}` }), body: t('providerDeleteBody'), confirm: t('delete') })) return;
    try {
      await api.call('deleteProvider', { params: { id: p.id } });
      providers.reload();
      notify(t('deleted'));
    } catch (error) {
      notify(describeFailure(error, t).message, { tone: 'danger' });
    }
  };

  return (
    <section className="mg-section" aria-labelledby="section-title">
      <SectionHeader title={t('navNotifications')} lead={t('notificationsLead')} actions={admin && <Button onClick={() => setAdding(true)}>{t('providerNew')}</Button>} />
      {admin ? (
        <Card title={t('providersTitle')}>
          {providers.failure && <Banner>{providers.failure.message}</Banner>}
          <TableWrap label={t('providersTitle')}>
            <table className="mg-table">
              <caption className="sq-visually-hidden">{t('providersTitle')}</caption>
              <thead><tr><th scope="col">{t('fieldProvider')}</th><th scope="col">{t('colChannel')}</th><th scope="col">{t('providerSettings')}</th><th scope="col">{t('colStatus')}</th><th scope="col"><span className="sq-visually-hidden">{t('colActions')}</span></th></tr></thead>
              <tbody>
                {providers.data?.length === 0 && <tr><td colSpan={5} className="mg-empty">{t('noProviders')}</td></tr>}
                {providers.data?.map((p) => (
                  <tr key={p.id} data-provider={p.provider}>
                    <th scope="row" dir="ltr">{p.provider}</th>
                    <td>{t(CHANNEL_KEY[p.channel])}</td>
                    <td dir="ltr" className="mg-vars">{Object.entries(p.settings).map(([k, v]) => `${k}: ${String(v)}`).join(' · ')}{p.secrets_set.length > 0 && ` · ${p.secrets_set.join(', ')}: ••••`}</td>
                    <td><Badge tone={p.is_active ? 'ok' : 'warn'}>{p.is_active ? t('active') : t('inactive')}</Badge></td>
                    <td className="mg-actions">
                      <Button tone="ghost" onClick={() => void toggle(p)}>{p.is_active ? t('disable') : t('enable')}</Button>
                      <Button tone="ghost" onClick={() => void remove(p)} aria-label={t('deleteNamed', { name: p.provider })}>{t('delete')}</Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </Card>
      ) : <AdminOnly />}
      {admin && <RulesCard />}
      <Card title={t('messagesTitle')} actions={(
        <Select label={t('colStatus')} value={status} onChange={(e) => setStatus(e.target.value as MessageStatus | '')}>
          <option value="">{t('deliveryAll')}</option>
          {(['pending', 'sent', 'delivered', 'failed', 'dropped'] as const).map((s) => <option key={s} value={s}>{t(STATUS_KEY[s])}</option>)}
        </Select>
      )}>
        {messages.failure && <Banner>{messages.failure.message}</Banner>}
        <TableWrap label={t('messagesTitle')}>
          <table className="mg-table">
            <caption className="sq-visually-hidden">{t('messagesTitle')}</caption>
            <thead><tr><th scope="col">{t('colWhen')}</th><th scope="col">{t('colChannel')}</th><th scope="col">{t('colRecipient')}</th><th scope="col">{t('colKey')}</th><th scope="col">{t('colStatus')}</th><th scope="col">{t('colResponse')}</th></tr></thead>
            <tbody>
              {messages.data?.length === 0 && <tr><td colSpan={6} className="mg-empty">{t('noMessages')}</td></tr>}
              {messages.data?.map((m) => (
                <tr key={m.id} data-message={m.id}>
                  <td>{formatDateTime(lang, m.created_at)}</td>
                  <td>{t(CHANNEL_KEY[m.channel])}</td>
                  <th scope="row" dir="ltr">{m.recipient}</th>
                  <td dir="ltr">{m.template_key}</td>
                  <td><Badge tone={STATUS_TONE[m.status]}>{t(STATUS_KEY[m.status])}</Badge></td>
                  <td dir="ltr" className="mg-vars">{[m.provider, m.last_error].filter(Boolean).join(' · ') || '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Card>
      {adding && (
        <FormDialog title={t('providerNew')} onClose={() => setAdding(false)}>
          <ProviderForm onClose={() => setAdding(false)} onSaved={() => {
            setAdding(false);
            providers.reload();
          }} />
        </FormDialog>
      )}
    </section>
  );
}

function RulesCard() {
  const { api } = useManager();
  const { t } = useT();
  const notify = useToast();
  const settings = useLoad(() => api.call('getNotificationSettings', {}), [api]);
  const sites = useLoad(() => listAll(api, 'listSites'), [api]);
  const [draft, setDraft] = useState<Settings | null>(null);
  const { busy, failure, run, fieldError } = useSubmit();
  useEffect(() => {
    if (settings.data) setDraft(settings.data);
  }, [settings.data]);
  if (!draft) return null;
  const quiet = (site: string) => draft.quiet_hours.find((q) => q.site === site);
  const setQuiet = (site: string, part: 'start' | 'end', value: string) => setDraft((d) => {
    if (!d) return d;
    const current = d.quiet_hours.find((q) => q.site === site) ?? { site, start: '', end: '' };
    const next = { ...current, [part]: value };
    return { ...d, quiet_hours: [...d.quiet_hours.filter((q) => q.site !== site), next] };
  });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = { ...draft, quiet_hours: draft.quiet_hours.filter((q) => q.start && q.end) };
    const saved = await run(() => api.call('updateNotificationSettings', { body }));
    if (saved) {
      setDraft(saved);
      notify(t('saved'));
    }
  };
  return (
    <Card title={t('rulesTitle')}>
      <form className="mg-form" onSubmit={submit} noValidate>
        <FormError failure={failure} />
        <div className="mg-row">
          <Field label={t('fieldMaxPerTicket')} type="number" min={1} max={20} value={draft.max_per_ticket} onChange={(e) => setDraft({ ...draft, max_per_ticket: Number(e.target.value) })} error={fieldError('max_per_ticket')} />
          <Field label={t('fieldAheadPosition')} type="number" min={1} max={50} value={draft.ahead_position} onChange={(e) => setDraft({ ...draft, ahead_position: Number(e.target.value) })} error={fieldError('ahead_position')} />
          <Field label={t('fieldStaleMinutes')} type="number" min={1} max={1440} value={Math.round(draft.stale_after_seconds / 60)} onChange={(e) => setDraft({ ...draft, stale_after_seconds: Number(e.target.value) * 60 })} error={fieldError('stale_after_seconds')} />
        </div>
        {sites.data?.map((site) => (
          <div className="mg-row" key={site.id}>
            <Field label={t('fieldQuietStart', { site: site.name })} type="time" value={quiet(site.id)?.start ?? ''} onChange={(e) => setQuiet(site.id, 'start', e.target.value)} />
            <Field label={t('fieldQuietEnd', { site: site.name })} type="time" value={quiet(site.id)?.end ?? ''} onChange={(e) => setQuiet(site.id, 'end', e.target.value)} />
          </div>
        ))}
        <div className="mg-form__actions"><Button type="submit" disabled={busy}>{t('save')}</Button></div>
      </form>
    </Card>
  );
}

function ProviderForm({ onSaved, onClose }: Readonly<{ onSaved: () => void; onClose: () => void }>) {
  const { api } = useManager();
  const { t } = useT();
  const notify = useToast();
  const [provider, setProvider] = useState('twilio');
  const [channel, setChannel] = useState<Provider['channel']>('sms');
  const [values, setValues] = useState<Record<string, string>>({});
  const { busy, failure, run, fieldError } = useSubmit();
  const spec = PROVIDERS[provider]!;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body: Record<string, unknown> = { provider, channel: spec.channels.includes(channel) ? channel : spec.channels[0] };
    for (const field of spec.fields) {
      const raw = values[field.name]?.trim() ?? '';
      if (!raw) continue;
      if (field.type === 'number') body[field.name] = Number(raw);
      else if (field.type === 'json') {
        try {
          body[field.name] = JSON.parse(raw) as unknown;
        } catch {
          body[field.name] = raw;
        }
      } else body[field.name] = raw;
    }
    const saved = await run(() => api.call('createProvider', { body: body as never }));
    if (!saved) return;
    notify(t('saved'));
    onSaved();
  };
  return (
    <form className="mg-form" onSubmit={submit} noValidate>
      <FormError failure={failure} />
      <div className="mg-row">
        <Select label={t('fieldProvider')} value={provider} onChange={(e) => {
          setProvider(e.target.value);
          setValues({});
          setChannel(PROVIDERS[e.target.value]!.channels[0]!);
        }}>
          {Object.keys(PROVIDERS).map((p) => <option key={p} value={p}>{p}</option>)}
        </Select>
        <Select label={t('fieldChannel')} value={channel} onChange={(e) => setChannel(e.target.value as Provider['channel'])}>
          {spec.channels.map((c) => <option key={c} value={c}>{t(CHANNEL_KEY[c])}</option>)}
        </Select>
      </div>
      {spec.fields.map((field) => (field.type === 'json'
        ? <TextArea key={field.name} label={t(field.label)} rows={6} dir="ltr" required={field.required} value={values[field.name] ?? ''} onChange={(e) => setValues({ ...values, [field.name]: e.target.value })} error={fieldError(field.name)} />
        : <Field key={field.name} label={t(field.label)} dir="ltr" required={field.required} type={field.type === 'password' ? 'password' : field.type === 'number' ? 'number' : 'text'} autoComplete="off"
          value={values[field.name] ?? ''} onChange={(e) => setValues({ ...values, [field.name]: e.target.value })} error={fieldError(field.name)} />))}
      <p className="mg-muted">{t('providerSecretsHint')}</p>
      <div className="mg-form__actions">
        <Button tone="ghost" onClick={onClose}>{t('cancel')}</Button>
        <Button type="submit" disabled={busy}>{t('save')}</Button>
      </div>
    </form>
  );
}

import { useState, type FormEvent } from 'react';
import type { z } from 'zod';
import { WEBHOOK_EVENTS, type WebhookDeliveryDto, type WebhookDto } from '../../branch-server/contract/integrations.contract.ts';
import { Badge, Banner, Button, Card, Field, Select } from '../shared/ui.tsx';
import { useManager } from './context.tsx';
import { formatDateTime } from './format.ts';
import { AdminOnly, Checkboxes, describeFailure, FormDialog, FormError, SectionHeader, TableWrap, useConfirm, useLoad, useSubmit, useT, useToast } from './kit.tsx';

type Webhook = z.output<typeof WebhookDto>;
type Delivery = z.output<typeof WebhookDeliveryDto>;
type Event = (typeof WEBHOOK_EVENTS)[number];
type DeliveryStatus = Delivery['status'];
const STATUS_TONE: Readonly<Record<DeliveryStatus, 'ok' | 'warn' | 'danger'>> = { delivered: 'ok', pending: 'warn', failed: 'danger' };
const STATUS_KEY = { delivered: 'deliveryDelivered', pending: 'deliveryPending', failed: 'deliveryFailed' } as const;

/**
 * Outgoing webhooks: subscriptions (administrators), and the delivery log with manual redelivery
 * (managers too), for when a receiver was down longer than the retries lasted.
 */
export function WebhooksSection() {
  const { api, can } = useManager();
  const { t, lang } = useT();
  const confirm = useConfirm();
  const notify = useToast();
  const admin = can('manage:settings');
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const webhooks = useLoad(async () => (admin ? (await api.call('listWebhooks', { query: { page_size: 100 } })).results : []), [api, admin]);
  const deliveries = useLoad(async () => (await api.call('listWebhookDeliveries', { query: { page_size: 50, ...(status ? { status } : {}) } })).results, [api, status]);

  const redeliver = async (delivery: Delivery) => {
    try {
      await api.call('redeliverWebhook', { params: { id: delivery.id } });
      notify(t('redelivered'));
      deliveries.reload();
    } catch (error) {
      notify(describeFailure(error, t).message, { tone: 'danger' });
    }
  };

  const remove = async (webhook: Webhook) => {
    if (!await confirm({ title: t('webhookDeleteTitle', { url: webhook.url }), body: t('webhookDeleteBody'), confirm: t('delete') })) return;
    try {
      await api.call('deleteWebhook', { params: { id: webhook.id } });
      webhooks.reload();
      deliveries.reload();
      notify(t('deleted'));
    } catch (error) {
      notify(describeFailure(error, t).message, { tone: 'danger' });
    }
  };

  return (
    <section className="mg-section" aria-labelledby="section-title">
      <SectionHeader title={t('navWebhooks')} lead={t('webhooksLead')} actions={admin && <Button onClick={() => setCreating(true)}>{t('webhookNew')}</Button>} />
      {secret && (
        <Card title={t('webhookSecretTitle')} actions={<Button tone="ghost" onClick={() => setSecret(null)}>{t('close')}</Button>}>
          <p>{t('webhookSecretBody', { url: secret.url })}</p>
          <p dir="ltr"><code data-webhook-secret>{secret.secret}</code></p>
        </Card>
      )}
      {admin ? (
        <Card title={t('webhooksList')}>
          {webhooks.failure && <Banner>{webhooks.failure.message}</Banner>}
          <TableWrap label={t('webhooksList')}>
            <table className="mg-table">
              <caption className="sq-visually-hidden">{t('webhooksList')}</caption>
              <thead><tr><th scope="col">{t('fieldWebhookUrl')}</th><th scope="col">{t('fieldWebhookEvents')}</th><th scope="col">{t('colStatus')}</th><th scope="col"><span className="sq-visually-hidden">{t('colActions')}</span></th></tr></thead>
              <tbody>
                {webhooks.data?.length === 0 && <tr><td colSpan={4} className="mg-empty">{t('noWebhooks')}</td></tr>}
                {webhooks.data?.map((w) => (
                  <tr key={w.id} data-webhook={w.id}>
                    <th scope="row" dir="ltr">{w.url}{w.description && <span className="mg-muted"> · {w.description}</span>}</th>
                    <td dir="ltr" className="mg-vars">{w.events.join(', ')}</td>
                    <td><Badge tone={w.is_active ? 'ok' : 'warn'}>{w.is_active ? t('active') : t('inactive')}</Badge></td>
                    <td className="mg-actions"><Button tone="ghost" onClick={() => void remove(w)} aria-label={t('deleteNamed', { name: w.url })}>{t('delete')}</Button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </Card>
      ) : <AdminOnly />}
      <Card title={t('deliveriesTitle')} actions={(
        <Select label={t('colStatus')} value={status} onChange={(e) => setStatus(e.target.value as DeliveryStatus | '')}>
          <option value="">{t('deliveryAll')}</option>
          {(['failed', 'pending', 'delivered'] as const).map((s) => <option key={s} value={s}>{t(STATUS_KEY[s])}</option>)}
        </Select>
      )}>
        {deliveries.failure && <Banner>{deliveries.failure.message}</Banner>}
        <TableWrap label={t('deliveriesTitle')}>
          <table className="mg-table">
            <caption className="sq-visually-hidden">{t('deliveriesTitle')}</caption>
            <thead><tr><th scope="col">{t('colWhen')}</th><th scope="col">{t('colEvent')}</th><th scope="col">{t('fieldWebhookUrl')}</th><th scope="col">{t('colStatus')}</th><th scope="col">{t('colAttempts')}</th><th scope="col">{t('colResponse')}</th><th scope="col"><span className="sq-visually-hidden">{t('colActions')}</span></th></tr></thead>
            <tbody>
              {deliveries.data?.length === 0 && <tr><td colSpan={7} className="mg-empty">{t('noDeliveries')}</td></tr>}
              {deliveries.data?.map((d) => (
                <tr key={d.id} data-delivery={d.id}>
                  <td>{formatDateTime(lang, d.created_at)}</td>
                  <th scope="row" dir="ltr">{d.event}</th>
                  <td dir="ltr" className="mg-vars">{d.url}</td>
                  <td><Badge tone={STATUS_TONE[d.status]}>{t(STATUS_KEY[d.status])}</Badge></td>
                  <td>{d.attempts}</td>
                  <td dir="ltr">{d.response_status ?? '–'}{d.last_error && <span className="mg-muted"> {d.last_error}</span>}</td>
                  <td className="mg-actions"><Button tone="ghost" onClick={() => void redeliver(d)} aria-label={t('redeliverNamed', { name: `${d.event} ${d.event_id}` })}>{t('redeliver')}</Button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Card>
      {creating && (
        <FormDialog title={t('webhookNew')} onClose={() => setCreating(false)}>
          <WebhookForm onClose={() => setCreating(false)} onCreated={(created) => {
            setCreating(false);
            setSecret(created);
            webhooks.reload();
          }} />
        </FormDialog>
      )}
    </section>
  );
}

function WebhookForm({ onCreated, onClose }: Readonly<{ onCreated: (c: { url: string; secret: string }) => void; onClose: () => void }>) {
  const { api } = useManager();
  const { t } = useT();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<Event[]>(['ticket.status_changed']);
  const { busy, failure, run, fieldError } = useSubmit();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const created = await run(() => api.call('createWebhook', { body: { url, events, ...(description ? { description } : {}) } }));
    if (created) onCreated({ url: created.url, secret: created.secret });
  };
  return (
    <form className="mg-form" onSubmit={submit} noValidate>
      <FormError failure={failure} />
      <Field label={t('fieldWebhookUrl')} required dir="ltr" type="url" value={url} onChange={(e) => setUrl(e.target.value)} error={fieldError('url')} />
      <Field label={t('fieldWebhookDescription')} value={description} onChange={(e) => setDescription(e.target.value)} error={fieldError('description')} />
      <Checkboxes legend={t('fieldWebhookEvents')} options={WEBHOOK_EVENTS.map((e) => ({ value: e, label: e }))} value={events} onChange={setEvents} error={fieldError('events')} />
      <div className="mg-form__actions">
        <Button tone="ghost" onClick={onClose}>{t('cancel')}</Button>
        <Button type="submit" disabled={busy}>{t('create')}</Button>
      </div>
    </form>
  );
}

import { useEffect, useState, type FormEvent } from 'react';
import { Badge, Banner, Button, Card, Field, Select } from '../shared/ui.tsx';
import { useManager } from './context.tsx';
import { byName, listAll, type Device, type Display, type Kiosk } from './data.ts';
import { formatDateTime } from './format.ts';
import type { ManagerKey } from './i18n.ts';
import { AdminOnly, describeFailure, FormDialog, FormError, SectionHeader, TableWrap, useConfirm, useLoad, useSubmit, useT, useToast } from './kit.tsx';
import { InputsDialog } from './device-inputs.tsx';
import { QrCode } from '../shared/qr-code.tsx';

type DeviceType = Device['type'];
const TYPES: readonly DeviceType[] = ['kiosk', 'display', 'print_agent'];
const TYPE_KEY: Readonly<Record<DeviceType, ManagerKey>> = { kiosk: 'deviceKiosk', display: 'deviceDisplay', print_agent: 'devicePrintAgent' };
const STATUS_KEY: Readonly<Record<Device['status'], ManagerKey>> = { pending: 'devicePending', paired: 'devicePaired', revoked: 'deviceRevoked' };
const STATUS_TONE = { pending: 'warn', paired: 'ok', revoked: 'neutral' } as const;
/** While a code waits to be used, the list is re-read this often so "paired" shows up by itself. */
const POLL_MS = 3_000;

type Pairing = Readonly<{ id: string; code: string; expiresAt: string; type: DeviceType; name: string; url: string }>;

/** The address the device should open: the kiosk page, its display's page, or the server for a print agent. */
function provisioningUrl(type: DeviceType, displayId: string | null): string {
  const origin = window.location.origin;
  if (type === 'kiosk') return `${origin}/kiosk`;
  if (type === 'display' && displayId) return `${origin}/display/${displayId}`;
  return origin;
}

/** Devices: register a kiosk, TV or print agent, show its one-time pairing code and a QR, revoke it. */
export function DevicesSection() {
  const { can } = useManager();
  const { t } = useT();
  return (
    <section className="mg-section" aria-labelledby="section-title">
      {can('manage:settings') ? <Devices /> : (
        <>
          <SectionHeader title={t('navDevices')} lead={t('devicesLead')} />
          <AdminOnly>{t('devicesAdminOnly')}</AdminOnly>
        </>
      )}
    </section>
  );
}

function Devices() {
  const { api } = useManager();
  const { t, lang } = useT();
  const confirm = useConfirm();
  const notify = useToast();
  const data = useLoad(async () => {
    const [devices, kiosks, displays] = await Promise.all([listAll(api, 'listDevices'), listAll(api, 'listKiosks'), listAll(api, 'listDisplays')]);
    const rank = { pending: 0, paired: 1, revoked: 2 } as const;
    return {
      devices: [...devices].sort((a, b) => rank[a.status] - rank[b.status] || a.name.localeCompare(b.name)),
      kiosks: byName(kiosks),
      displays: byName(displays),
    };
  }, [api]);
  const [pairing, setPairing] = useState<Pairing | null>(null);
  const [creating, setCreating] = useState(false);
  const [inputsOf, setInputsOf] = useState<Device | null>(null);
  const { reload } = data;
  const waiting = pairing !== null || (data.data?.devices.some((d) => d.status === 'pending') ?? false);
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [waiting, reload]);

  const targetName = (device: Device) => (device.kiosk_id
    ? data.data?.kiosks.find((k) => k.id === device.kiosk_id)?.name
    : device.display_id ? data.data?.displays.find((d) => d.id === device.display_id)?.name : undefined) ?? '–';

  const revoke = async (device: Device) => {
    if (!await confirm({ title: t('deviceRevokeTitle', { name: device.name }), body: t('deviceRevokeBody'), confirm: t('revoke') })) return;
    try {
      await api.call('revokeDevice', { params: { id: device.id } });
      if (pairing?.id === device.id) setPairing(null);
      reload();
      notify(t('deviceRevokedNotice', { name: device.name }));
    } catch (error) {
      notify(describeFailure(error, t).message, { tone: 'danger' });
    }
  };

  const newCode = async (device: Device) => {
    if (device.status === 'paired'
      && !await confirm({ title: t('deviceRepairTitle', { name: device.name }), body: t('deviceRepairBody'), confirm: t('deviceNewCode') })) return;
    try {
      const code = await api.call('regeneratePairingCode', { params: { id: device.id } });
      setPairing({ id: device.id, code: code.pairing_code, expiresAt: code.expires_at, type: device.type, name: device.name, url: provisioningUrl(device.type, device.display_id) });
      reload();
    } catch (error) {
      notify(describeFailure(error, t).message, { tone: 'danger' });
    }
  };

  const paired = pairing ? data.data?.devices.find((d) => d.id === pairing.id)?.status === 'paired' : false;

  return (
    <>
      <SectionHeader title={t('navDevices')} lead={t('devicesLead')} actions={<Button onClick={() => setCreating(true)}>{t('deviceNew')}</Button>} />
      {data.failure && <Banner>{data.failure.message}</Banner>}
      {pairing && <PairingPanel pairing={pairing} paired={paired} onClose={() => setPairing(null)} />}
      <Card title={t('devicesList')}>
        <TableWrap label={t('devicesList')}>
          <table className="mg-table">
            <caption className="sq-visually-hidden">{t('devicesList')}</caption>
            <thead>
              <tr><th scope="col">{t('colName')}</th><th scope="col">{t('colType')}</th><th scope="col">{t('colBoundTo')}</th><th scope="col">{t('colStatus')}</th><th scope="col">{t('colLastSeen')}</th><th scope="col"><span className="sq-visually-hidden">{t('colActions')}</span></th></tr>
            </thead>
            <tbody>
              {data.data?.devices.length === 0 && <tr><td colSpan={6} className="mg-empty">{t('noDevices')}</td></tr>}
              {data.data?.devices.map((d) => (
                <tr key={d.id} data-device={d.id} className={d.status === 'revoked' ? 'is-inactive' : ''}>
                  <th scope="row">{d.name}</th>
                  <td>{t(TYPE_KEY[d.type])}</td>
                  <td>{targetName(d)}</td>
                  <td><Badge tone={STATUS_TONE[d.status]}>{t(STATUS_KEY[d.status])}</Badge></td>
                  <td>{formatDateTime(lang, d.last_seen_at ?? d.paired_at)}</td>
                  <td className="mg-actions">
                    {d.type === 'print_agent' && d.status !== 'revoked' && (
                      <Button tone="ghost" onClick={() => setInputsOf(d)} aria-label={t('inputsNamed', { name: d.name })}>{t('inputsButton')}</Button>
                    )}
                    {d.status !== 'revoked' && <Button tone="ghost" onClick={() => void newCode(d)} aria-label={t('deviceNewCodeNamed', { name: d.name })}>{t('deviceNewCode')}</Button>}
                    {d.status !== 'revoked' && <Button tone="ghost" onClick={() => void revoke(d)} aria-label={t('revokeNamed', { name: d.name })}>{t('revoke')}</Button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Card>
      {inputsOf && <InputsDialog device={inputsOf} onClose={() => setInputsOf(null)} />}
      {creating && data.data && (
        <FormDialog title={t('deviceNew')} onClose={() => setCreating(false)}>
          <DeviceForm kiosks={data.data.kiosks} displays={data.data.displays} onClose={() => setCreating(false)} onCreated={(next) => {
            setCreating(false);
            setPairing(next);
            reload();
          }} />
        </FormDialog>
      )}
    </>
  );
}

function DeviceForm({ kiosks, displays, onClose, onCreated }: Readonly<{ kiosks: readonly Kiosk[]; displays: readonly Display[]; onClose: () => void; onCreated: (pairing: Pairing) => void }>) {
  const { api } = useManager();
  const { t } = useT();
  const [type, setType] = useState<DeviceType>('kiosk');
  const [name, setName] = useState('');
  const [target, setTarget] = useState('');
  const { busy, failure, run, fieldError } = useSubmit();
  const targets = type === 'display' ? displays : kiosks;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = type === 'display'
      ? { type, name, display_id: target || null }
      : { type, name, kiosk_id: target || null };
    const created = await run(() => api.call('createDevice', { body }));
    if (!created) return;
    onCreated({
      id: created.id, code: created.pairing_code, expiresAt: created.expires_at, type, name,
      url: provisioningUrl(type, type === 'display' ? target : null),
    });
  };

  return (
    <form className="mg-form" onSubmit={submit} noValidate>
      <FormError failure={failure} />
      <Select label={t('fieldDeviceType')} value={type} onChange={(e) => {
        setType(e.target.value as DeviceType);
        setTarget('');
      }}>
        {TYPES.map((x) => <option key={x} value={x}>{t(TYPE_KEY[x])}</option>)}
      </Select>
      <Field label={t('fieldName')} hint={t('fieldDeviceNameHint')} required value={name} onChange={(e) => setName(e.target.value)} error={fieldError('name')} />
      <Select label={type === 'display' ? t('fieldDisplay') : type === 'kiosk' ? t('fieldKiosk') : t('fieldKioskOptional')} value={target}
        onChange={(e) => setTarget(e.target.value)}>
        <option value="">{t('choose')}</option>
        {targets.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
      </Select>
      {(fieldError('kiosk_id') || fieldError('display_id')) && <p className="sq-field__error mg-under">{fieldError('kiosk_id') ?? fieldError('display_id')}</p>}
      {targets.length === 0 && type !== 'print_agent' && <p className="sq-field__hint">{t(type === 'display' ? 'deviceNeedsDisplay' : 'deviceNeedsKiosk')}</p>}
      <div className="mg-form__actions">
        <Button tone="ghost" onClick={onClose}>{t('cancel')}</Button>
        <Button type="submit" disabled={busy}>{t('deviceCreate')}</Button>
      </div>
    </form>
  );
}

/** The code in large type to read out or type on the device, and a QR of the page it should open. */
function PairingPanel({ pairing, paired, onClose }: Readonly<{ pairing: Pairing; paired: boolean; onClose: () => void }>) {
  const { t, formatTime } = useT();
  return (
    <section className={`mg-pairing${paired ? ' is-paired' : ''}`} aria-labelledby="pairing-title" aria-live="polite">
      <div className="mg-pairing__text">
        <h2 id="pairing-title">{t('pairingTitle', { name: pairing.name })}</h2>
        {paired ? (
          <p className="mg-pairing__done" role="status">{t('pairingDone')}</p>
        ) : (
          <>
            <p className="mg-pairing__label">{t('pairingCode')}</p>
            <p className="mg-pairing__code" dir="ltr" data-pairing-code={pairing.code}>{pairing.code}</p>
            <p className="mg-muted">{t('pairingExpires', { time: formatTime(pairing.expiresAt) })}</p>
            <ol className="mg-pairing__steps">
              <li>{t(pairing.type === 'print_agent' ? 'pairingStepServer' : 'pairingStepOpen')} <code className="mg-url" dir="ltr">{pairing.url}</code></li>
              <li>{t('pairingStepCode')}</li>
            </ol>
          </>
        )}
        <Button tone="ghost" onClick={onClose}>{t('close')}</Button>
      </div>
      {!paired && <QrCode text={pairing.url} label={t('pairingQr', { url: pairing.url })} />}
    </section>
  );
}

import { useState, type FormEvent } from 'react';
import type { z } from 'zod';
import type { DeviceInputDto } from '../../branch-server/contract/device-inputs.contract.ts';
import { Badge, Banner, Button, Field, Select } from '../shared/ui.tsx';
import { useManager } from './context.tsx';
import { listAll, type Agent, type Device } from './data.ts';
import { formatDateTime } from './format.ts';
import type { ManagerKey } from './i18n.ts';
import { describeFailure, FormDialog, FormError, TableWrap, useConfirm, useLoad, useSubmit, useT, useToast } from './kit.tsx';

type Input = z.output<typeof DeviceInputDto>;
const KIND_KEY: Readonly<Record<Input['kind'], ManagerKey>> = { scanner: 'inputScanner', button: 'inputButton' };
const SOURCE_KEY: Readonly<Record<Input['source'], ManagerKey>> = { serial: 'inputSerial', hid: 'inputHid' };
const STATE_KEY: Readonly<Record<Input['state'], ManagerKey>> = { unknown: 'inputStateUnknown', ok: 'inputStateOk', error: 'inputStateError' };
const STATE_TONE = { unknown: 'neutral', ok: 'ok', error: 'danger' } as const;

const agentLabel = (agent: Agent) => `${`${agent.first_name} ${agent.last_name}`.trim() || agent.email}${agent.counter ? ` · ${agent.counter}` : ''}`;

/**
 * The scanners and call buttons plugged into a print agent's PC: a scanner checks appointments in
 * and opens the ticket at its agent's desk; a button calls the next customer for its agent.
 */
export function InputsDialog({ device, onClose }: Readonly<{ device: Device; onClose: () => void }>) {
  const { api } = useManager();
  const { t, lang } = useT();
  const confirm = useConfirm();
  const notify = useToast();
  const data = useLoad(async () => {
    const [inputs, agents] = await Promise.all([api.call('listDeviceInputs', { params: { id: device.id } }), listAll(api, 'listAgents')]);
    return { inputs: inputs as Input[], agents };
  }, [api, device.id]);
  const [editing, setEditing] = useState<Input | 'new' | null>(null);
  const agentName = new Map((data.data?.agents ?? []).map((a) => [a.id, agentLabel(a)]));

  const remove = async (input: Input) => {
    if (!await confirm({ title: t('inputDeleteTitle', { name: input.name }), body: t('inputDeleteBody'), confirm: t('delete') })) return;
    try {
      await api.call('deleteDeviceInput', { params: { id: device.id, input_id: input.id } });
      data.reload();
      notify(t('deleted'));
    } catch (error) {
      notify(describeFailure(error, t).message, { tone: 'danger' });
    }
  };

  if (editing && data.data) {
    return (
      <FormDialog title={editing === 'new' ? t('inputNew') : t('inputEdit', { name: editing.name })} onClose={() => setEditing(null)}>
        <InputForm device={device} input={editing === 'new' ? null : editing} agents={data.data.agents} onClose={() => setEditing(null)} onSaved={() => {
          setEditing(null);
          data.reload();
        }} />
      </FormDialog>
    );
  }
  return (
    <FormDialog title={t('inputsTitle', { name: device.name })} onClose={onClose}>
      <p className="mg-muted">{t('inputsLead')}</p>
      {data.failure && <Banner>{data.failure.message}</Banner>}
      <TableWrap label={t('inputsTitle', { name: device.name })}>
        <table className="mg-table" data-testid="device-inputs">
          <thead>
            <tr><th scope="col">{t('colName')}</th><th scope="col">{t('colType')}</th><th scope="col">{t('colConnection')}</th><th scope="col">{t('colAgent')}</th><th scope="col">{t('colStatus')}</th><th scope="col"><span className="sq-visually-hidden">{t('colActions')}</span></th></tr>
          </thead>
          <tbody>
            {data.data?.inputs.length === 0 && <tr><td colSpan={6} className="mg-empty">{t('noInputs')}</td></tr>}
            {data.data?.inputs.map((input) => (
              <tr key={input.id} data-input={input.id}>
                <th scope="row">{input.name}</th>
                <td>{t(KIND_KEY[input.kind])}</td>
                <td>{t(SOURCE_KEY[input.source])} <span dir="ltr" className="mg-muted">{input.path}</span></td>
                <td>{input.agent_id ? agentName.get(input.agent_id) ?? '?' : '–'}</td>
                <td>
                  <Badge tone={STATE_TONE[input.state]}>{t(STATE_KEY[input.state])}</Badge>
                  {input.last_error && <span className="mg-muted mg-block mg-wrap">{input.last_error}</span>}
                  {input.last_event_at && <span className="mg-muted mg-block">{t('inputLastUsed', { time: formatDateTime(lang, input.last_event_at) })}</span>}
                </td>
                <td className="mg-actions">
                  <Button tone="ghost" onClick={() => setEditing(input)} aria-label={t('editNamed', { name: input.name })}>{t('edit')}</Button>
                  <Button tone="ghost" onClick={() => void remove(input)} aria-label={t('deleteNamed', { name: input.name })}>{t('delete')}</Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <div className="mg-form__actions">
        <Button tone="ghost" onClick={onClose}>{t('close')}</Button>
        <Button onClick={() => setEditing('new')}>{t('inputNew')}</Button>
      </div>
    </FormDialog>
  );
}

function InputForm({ device, input, agents, onClose, onSaved }: Readonly<{
  device: Device; input: Input | null; agents: readonly Agent[]; onClose: () => void; onSaved: () => void;
}>) {
  const { api } = useManager();
  const { t } = useT();
  const notify = useToast();
  const [draft, setDraft] = useState({
    name: input?.name ?? '', kind: input?.kind ?? 'scanner', source: input?.source ?? 'hid', path: input?.path ?? '',
    baud_rate: input?.baud_rate ? String(input.baud_rate) : '', agent_id: input?.agent_id ?? '',
  });
  const { busy, failure, run, fieldError } = useSubmit();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = {
      name: draft.name, kind: draft.kind, source: draft.source, path: draft.path.trim(),
      baud_rate: draft.source === 'serial' && draft.baud_rate.trim() ? Number(draft.baud_rate) : null,
      agent_id: draft.agent_id || null,
    };
    const saved = await run(() => (input
      ? api.call('updateDeviceInput', { params: { id: device.id, input_id: input.id }, body })
      : api.call('createDeviceInput', { params: { id: device.id }, body })));
    if (!saved) return;
    notify(t('saved'));
    onSaved();
  };

  return (
    <form className="mg-form" onSubmit={submit} noValidate>
      <FormError failure={failure} />
      <Field label={t('fieldName')} required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} error={fieldError('name')} />
      <Select label={t('fieldInputKind')} value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.target.value as Input['kind'] })}>
        <option value="scanner">{t('inputScanner')}</option>
        <option value="button">{t('inputButton')}</option>
      </Select>
      <Select label={t('fieldInputSource')} value={draft.source} onChange={(e) => setDraft({ ...draft, source: e.target.value as Input['source'] })}>
        <option value="hid">{t('inputHid')}</option>
        <option value="serial">{t('inputSerial')}</option>
      </Select>
      <div className="mg-form__row">
        <Field label={t('fieldInputPath')} dir="ltr" required placeholder={draft.source === 'hid' ? '/dev/hidraw0' : '/dev/ttyACM0'}
          value={draft.path} onChange={(e) => setDraft({ ...draft, path: e.target.value })} error={fieldError('path')} />
        {draft.source === 'serial' && (
          <Field label={t('fieldBaudRate')} dir="ltr" inputMode="numeric" placeholder="9600" value={draft.baud_rate}
            onChange={(e) => setDraft({ ...draft, baud_rate: e.target.value })} error={fieldError('baud_rate')} />
        )}
      </div>
      <Select label={draft.kind === 'button' ? t('fieldInputAgentButton') : t('fieldInputAgentScanner')} value={draft.agent_id}
        onChange={(e) => setDraft({ ...draft, agent_id: e.target.value })}>
        <option value="">{t('none')}</option>
        {agents.map((a) => <option key={a.id} value={a.id}>{agentLabel(a)}</option>)}
      </Select>
      {fieldError('agent_id') && <p className="sq-field__error">{fieldError('agent_id')}</p>}
      <div className="mg-form__actions">
        <Button tone="ghost" onClick={onClose}>{t('cancel')}</Button>
        <Button type="submit" disabled={busy}>{input ? t('save') : t('create')}</Button>
      </div>
    </form>
  );
}

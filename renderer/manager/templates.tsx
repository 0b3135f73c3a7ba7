import { useRef, useState, type FormEvent } from 'react';
import type { z } from 'zod';
import { TEMPLATE_VARIABLES, type PreviewDto } from '../../branch-server/contract/notifications.contract.ts';
import { LANGUAGE_NAMES, LANGUAGES, type Language } from '../shared/i18n.tsx';
import { Badge, Banner, Button, Card, Field, Select } from '../shared/ui.tsx';
import { useManager } from './context.tsx';
import { listAll, type Template } from './data.ts';
import type { ManagerKey } from './i18n.ts';
import { AdminOnly, describeFailure, FormDialog, FormError, HqManagedNotice, SectionHeader, TableWrap, TextArea, Toggle, useConfirm, useLoad, useSubmit, useT, useToast } from './kit.tsx';

type Channel = Template['channel'];
type Preview = z.output<typeof PreviewDto>;
const CHANNELS: readonly Channel[] = ['sms', 'whatsapp', 'email', 'push'];
const CHANNEL_KEY: Readonly<Record<Channel, ManagerKey>> = { sms: 'channelSms', whatsapp: 'channelWhatsapp', email: 'channelEmail', push: 'channelPush' };
/** Offered as shortcuts; the server's list is the authority and names any unknown variable in its error. */

type Draft = { key: string; channel: Channel; language: Language; subject: string; body: string; is_active: boolean };
const EMPTY: Draft = { key: '', channel: 'sms', language: 'fr', subject: '', body: '', is_active: true };

/** Notification templates: the SMS, WhatsApp, e-mail and push texts, with their {{variables}} checked and previewed. */
export function TemplatesSection() {
  const { api, can, hqOwns, hqManaged } = useManager();
  const { t } = useT();
  const confirm = useConfirm();
  const notify = useToast();
  const templates = useLoad(async () => (await listAll(api, 'listTemplates'))
    .sort((a, b) => a.key.localeCompare(b.key) || a.channel.localeCompare(b.channel) || a.language.localeCompare(b.language)), [api]);
  const [editing, setEditing] = useState<Template | 'new' | null>(null);
  const [preview, setPreview] = useState<{ template: Template; result: Preview } | null>(null);
  const admin = can('manage:settings');
  const editable = admin && !hqOwns('updateTemplate');

  const showPreview = async (template: Template) => {
    try {
      setPreview({ template, result: await api.call('previewTemplate', { params: { id: template.id }, body: {} }) });
    } catch (error) {
      notify(describeFailure(error, t).message, { tone: 'danger' });
    }
  };

  const remove = async (template: Template) => {
    if (!await confirm({ title: t('templateDeleteTitle', { key: template.key }), body: t('templateDeleteBody'), confirm: t('delete') })) return;
    try {
      await api.call('deleteTemplate', { params: { id: template.id } });
      if (preview?.template.id === template.id) setPreview(null);
      templates.reload();
      notify(t('deleted'));
    } catch (error) {
      notify(describeFailure(error, t).message, { tone: 'danger' });
    }
  };

  const label = (tpl: Template) => `${tpl.key} · ${t(CHANNEL_KEY[tpl.channel])} · ${tpl.language.toUpperCase()}`;

  return (
    <section className="mg-section" aria-labelledby="section-title">
      <SectionHeader
        title={t('navTemplates')}
        lead={t('templatesLead')}
        actions={editable && <Button onClick={() => setEditing('new')}>{t('templateNew')}</Button>}
      />
      {templates.failure && <Banner>{templates.failure.message}</Banner>}
      {hqManaged ? <HqManagedNotice /> : !admin && <AdminOnly />}
      {preview && (
        <Card title={t('previewOf', { name: label(preview.template) })} className="mg-preview" actions={<Button tone="ghost" onClick={() => setPreview(null)}>{t('close')}</Button>}>
          {preview.result.subject && <p className="mg-preview__subject"><span className="mg-muted">{t('fieldSubject')}</span> <strong>{preview.result.subject}</strong></p>}
          <p className="mg-preview__bubble" dir="auto" data-preview>{preview.result.body}</p>
        </Card>
      )}
      <Card title={t('templatesList')}>
        <TableWrap label={t('templatesList')}>
          <table className="mg-table">
            <caption className="sq-visually-hidden">{t('templatesList')}</caption>
            <thead>
              <tr><th scope="col">{t('colKey')}</th><th scope="col">{t('colChannel')}</th><th scope="col">{t('colLanguage')}</th><th scope="col">{t('colVariables')}</th><th scope="col">{t('colStatus')}</th><th scope="col"><span className="sq-visually-hidden">{t('colActions')}</span></th></tr>
            </thead>
            <tbody>
              {templates.data?.length === 0 && <tr><td colSpan={6} className="mg-empty">{t('noTemplates')}</td></tr>}
              {templates.data?.map((tpl) => (
                <tr key={tpl.id} data-template={tpl.id}>
                  <th scope="row" dir="ltr">{tpl.key}</th>
                  <td>{t(CHANNEL_KEY[tpl.channel])}</td>
                  <td>{LANGUAGE_NAMES[tpl.language]}</td>
                  <td dir="ltr" className="mg-vars">{tpl.variables.join(', ') || '–'}</td>
                  <td><Badge tone={tpl.is_active ? 'ok' : 'warn'}>{tpl.is_active ? t('active') : t('inactive')}</Badge></td>
                  <td className="mg-actions">
                    <Button tone="ghost" onClick={() => void showPreview(tpl)} aria-label={t('previewNamed', { name: label(tpl) })}>{t('preview')}</Button>
                    {editable && <Button tone="ghost" onClick={() => setEditing(tpl)} aria-label={t('editNamed', { name: label(tpl) })}>{t('edit')}</Button>}
                    {editable && <Button tone="ghost" onClick={() => void remove(tpl)} aria-label={t('deleteNamed', { name: label(tpl) })}>{t('delete')}</Button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Card>
      {editing && (
        <FormDialog title={editing === 'new' ? t('templateNew') : t('templateEdit', { key: editing.key })} onClose={() => setEditing(null)}>
          <TemplateForm template={editing === 'new' ? null : editing} onClose={() => setEditing(null)} onSaved={(saved) => {
            setEditing(null);
            templates.reload();
            void showPreview(saved);
          }} />
        </FormDialog>
      )}
    </section>
  );
}

function TemplateForm({ template, onSaved, onClose }: Readonly<{ template: Template | null; onSaved: (t: Template) => void; onClose: () => void }>) {
  const { api } = useManager();
  const { t } = useT();
  const notify = useToast();
  const [draft, setDraft] = useState<Draft>(template
    ? { key: template.key, channel: template.channel, language: template.language, subject: template.subject, body: template.body, is_active: template.is_active }
    : EMPTY);
  const { busy, failure, run, fieldError } = useSubmit();
  const body = useRef<HTMLTextAreaElement>(null);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  /** Inserts `{{name}}` where the cursor is, and puts the cursor after it. */
  const insert = (name: string) => {
    const area = body.current;
    const token = `{{${name}}}`;
    const start = area?.selectionStart ?? draft.body.length;
    const end = area?.selectionEnd ?? draft.body.length;
    set('body', draft.body.slice(0, start) + token + draft.body.slice(end));
    requestAnimationFrame(() => {
      area?.focus();
      area?.setSelectionRange(start + token.length, start + token.length);
    });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const saved = await run(() => (template
      ? api.call('updateTemplate', { params: { id: template.id }, body: draft })
      : api.call('createTemplate', { body: draft })));
    if (!saved) return;
    notify(t('templateSaved', { key: saved.key }));
    onSaved(saved);
  };

  return (
    <form className="mg-form" onSubmit={submit} noValidate>
      <FormError failure={failure} />
      <Field label={t('fieldTemplateKey')} hint={t('fieldTemplateKeyHint')} required dir="ltr" value={draft.key} onChange={(e) => set('key', e.target.value)} error={fieldError('key')} />
      <div className="mg-row">
        <Select label={t('fieldChannel')} value={draft.channel} onChange={(e) => set('channel', e.target.value as Channel)}>
          {CHANNELS.map((c) => <option key={c} value={c}>{t(CHANNEL_KEY[c])}</option>)}
        </Select>
        <Select label={t('fieldLanguage')} value={draft.language} onChange={(e) => set('language', e.target.value as Language)}>
          {LANGUAGES.map((l) => <option key={l} value={l}>{LANGUAGE_NAMES[l]}</option>)}
        </Select>
      </div>
      <Field label={draft.channel === 'email' ? t('fieldSubject') : t('fieldSubjectOptional')} value={draft.subject} onChange={(e) => set('subject', e.target.value)} error={fieldError('subject')} />
      <TextArea ref={body} label={t('fieldBody')} rows={5} required value={draft.body} onChange={(e) => set('body', e.target.value)} error={fieldError('body')} hint={t('fieldBodyHint')} />
      <div className="mg-chips" role="group" aria-label={t('insertVariable')}>
        {TEMPLATE_VARIABLES.map((v) => <button key={v} type="button" className="mg-chip" dir="ltr" onClick={() => insert(v)}>{`{{${v}}}`}</button>)}
      </div>
      <Toggle label={t('fieldActiveTemplate')} checked={draft.is_active} onChange={(v) => set('is_active', v)} />
      <div className="mg-form__actions">
        <Button tone="ghost" onClick={onClose}>{t('cancel')}</Button>
        <Button type="submit" disabled={busy}>{t('saveAndPreview')}</Button>
      </div>
    </form>
  );
}

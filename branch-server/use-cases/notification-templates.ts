import type { z } from 'zod';
import type { CreateTemplateBody, TemplateDto, UpdateTemplateBody } from '../contract/notifications.contract.ts';
import { qb, type Db } from '../db/sqlite.ts';
import { appendAudit } from '../db/repositories/audit.repository.ts';
import type { FieldIssue } from '../db/repositories/device-config.repository.ts';
import type { NotificationTemplateRow } from '../db/tables/notification-template.table.ts';
import { DomainError } from '../domain/errors.ts';
import { uuidv7 } from '../ids.ts';
import { checkTemplate, renderTemplate, SAMPLE_VALUES, TEMPLATE_VARIABLES, templateVariables, type TemplateValues } from '../notifications/template.ts';
import type { Caller, UseCaseDeps } from './deps.ts';

type Language = TemplateDto['language'];

export function getTemplateRow(db: Db, tenantId: string, id: string): NotificationTemplateRow {
  const row = db.first(qb.selectFrom('notification_template').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId));
  if (!row) throw new DomainError('not-found', 'Template not found.');
  return row;
}

export function toTemplateDto(row: NotificationTemplateRow): TemplateDto {
  return {
    id: row.id, key: row.key, channel: row.channel, language: row.language as Language, subject: row.subject, body: row.body,
    is_active: row.is_active === 1, variables: templateVariables(`${row.subject}\n${row.body}`),
    created_at: new Date(row.created_at).toISOString(), updated_at: new Date(row.updated_at).toISOString(),
  };
}

const ALLOWED = TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(', ');

/** Everything wrong with a template at once: unknown variables (named), stray braces, missing e-mail subject, duplicates. */
function validate(db: Db, tenantId: string, row: NotificationTemplateRow): void {
  const issues: FieldIssue[] = [];
  for (const field of ['subject', 'body'] as const) {
    const { unknown, malformed } = checkTemplate(row[field]);
    if (unknown.length > 0) {
      issues.push({ field, message: `unknown variable(s) ${unknown.map((v) => `{{${v}}}`).join(', ')}; allowed: ${ALLOWED}` });
    }
    if (malformed) issues.push({ field, message: 'has "{{" or "}}" that do not form a {{variable}}' });
  }
  if (row.channel === 'email' && row.subject.trim() === '') issues.push({ field: 'subject', message: 'an e-mail template needs a subject' });
  const duplicate = db.first(
    qb.selectFrom('notification_template').select('id').where('tenant_id', '=', tenantId)
      .where('key', '=', row.key).where('channel', '=', row.channel).where('language', '=', row.language).where('id', '!=', row.id),
  );
  if (duplicate) issues.push({ field: 'key', message: `a ${row.channel} template "${row.key}" in ${row.language} already exists` });
  if (issues.length > 0) throw new DomainError('validation-failed', `${issues[0]!.field}: ${issues[0]!.message}.`, issues);
}

export function createTemplate(deps: UseCaseDeps, caller: Caller, body: z.infer<typeof CreateTemplateBody>): TemplateDto {
  const { db } = deps;
  return toTemplateDto(db.tx(() => {
    const row: NotificationTemplateRow = {
      id: uuidv7(caller.now), tenant_id: caller.tenantId, key: body.key, channel: body.channel, language: body.language,
      subject: body.subject ?? '', body: body.body, is_active: body.is_active === false ? 0 : 1, created_at: caller.now, updated_at: caller.now,
    };
    validate(db, caller.tenantId, row);
    db.run(qb.insertInto('notification_template').values(row));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'notification_template.created', entity: 'notification_template', entityId: row.id, after: row }, caller.now);
    return row;
  }));
}

export function updateTemplate(deps: UseCaseDeps, caller: Caller, id: string, patch: z.infer<typeof UpdateTemplateBody>): TemplateDto {
  const { db } = deps;
  return toTemplateDto(db.tx(() => {
    const before = getTemplateRow(db, caller.tenantId, id);
    const after: NotificationTemplateRow = {
      ...before,
      key: patch.key ?? before.key,
      channel: patch.channel ?? before.channel,
      language: patch.language ?? before.language,
      subject: patch.subject ?? before.subject,
      body: patch.body ?? before.body,
      is_active: patch.is_active === undefined ? before.is_active : (patch.is_active ? 1 : 0),
      updated_at: caller.now,
    };
    validate(db, caller.tenantId, after);
    const { id: _id, tenant_id: _tenant, created_at: _created, ...changes } = after;
    db.run(qb.updateTable('notification_template').set(changes).where('id', '=', id));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'notification_template.updated', entity: 'notification_template', entityId: id, before, after }, caller.now);
    return after;
  }));
}

export function deleteTemplate(deps: UseCaseDeps, caller: Caller, id: string): void {
  const { db } = deps;
  db.tx(() => {
    const before = getTemplateRow(db, caller.tenantId, id);
    db.run(qb.deleteFrom('notification_template').where('id', '=', id));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'notification_template.deleted', entity: 'notification_template', entityId: id, before }, caller.now);
  });
}

/** The template as a customer would read it, with sample values (overridable per variable). */
export function previewTemplate(row: NotificationTemplateRow, overrides: TemplateValues = {}): { subject: string; body: string; variables: string[] } {
  const values = { ...SAMPLE_VALUES, ...overrides };
  return {
    subject: renderTemplate(row.subject, values),
    body: renderTemplate(row.body, values),
    variables: templateVariables(`${row.subject}\n${row.body}`),
  };
}

import type { z } from 'zod';
import type {
  CreateTemplateBody, TemplateDto, TemplateListQuery, UpdateTemplateBody,
} from '../../../branch-server/contract/notifications.contract.ts';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { checkTemplate, TEMPLATE_VARIABLES, templateVariables } from '../../../branch-server/notifications/template.ts';
import type { CloudTx } from '../db/database.ts';
import { pageOf, type PageResult } from '../db/paginate.ts';
import type { TemplateRow } from '../db/schema.ts';
import type { CloudDeps } from '../http/context.ts';
import { iso } from './dto.ts';
import { recordChange } from './feed.ts';
import { toTemplateRef } from './reference-rows.ts';

type Language = TemplateDto['language'];
const ALLOWED = TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(', ');

export function toTemplateDto(row: TemplateRow): TemplateDto {
  return {
    id: row.id, key: row.key, channel: row.channel, language: row.language as Language, subject: row.subject, body: row.body,
    is_active: row.is_active === 1, variables: templateVariables(`${row.subject}\n${row.body}`),
    created_at: iso(row.created_at), updated_at: iso(row.updated_at),
  };
}

async function findTemplate(trx: CloudTx, tenantId: string, id: string): Promise<TemplateRow> {
  const row = await trx.selectFrom('notification_template').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('not-found', 'Template not found.');
  return row;
}

type TemplateFields = Pick<TemplateRow, 'id' | 'key' | 'channel' | 'language' | 'subject' | 'body'>;

/**
 * The branch's rules, checked before anything is written: only the known {{variables}} (the error
 * names the unknown ones), no stray braces, an e-mail needs a subject, one per key, channel and language.
 */
async function validate(trx: CloudTx, tenantId: string, row: TemplateFields): Promise<void> {
  const issues: { field: string; message: string }[] = [];
  for (const field of ['subject', 'body'] as const) {
    const { unknown, malformed } = checkTemplate(row[field]);
    if (unknown.length > 0) issues.push({ field, message: `unknown variable(s) ${unknown.map((v) => `{{${v}}}`).join(', ')}; allowed: ${ALLOWED}` });
    if (malformed) issues.push({ field, message: 'has "{{" or "}}" that do not form a {{variable}}' });
  }
  if (row.channel === 'email' && row.subject.trim() === '') issues.push({ field: 'subject', message: 'an e-mail template needs a subject' });
  const duplicate = await trx.selectFrom('notification_template').select('id').where('tenant_id', '=', tenantId)
    .where('key', '=', row.key).where('channel', '=', row.channel).where('language', '=', row.language).where('id', '!=', row.id)
    .executeTakeFirst();
  if (duplicate) issues.push({ field: 'key', message: `a ${row.channel} template "${row.key}" in ${row.language} already exists` });
  if (issues.length > 0) throw new DomainError('validation-failed', `${issues[0]!.field}: ${issues[0]!.message}.`, issues);
}

export type TemplateInput = Readonly<{
  key: string; channel: TemplateRow['channel']; language: string; subject?: string | undefined; body: string; is_active?: boolean | undefined;
}>;

export async function insertTemplate(trx: CloudTx, tenantId: string, input: TemplateInput, now: number): Promise<TemplateRow> {
  const fields: TemplateFields = {
    id: uuidv7(now), key: input.key, channel: input.channel, language: input.language, subject: input.subject ?? '', body: input.body,
  };
  await validate(trx, tenantId, fields);
  const row = await trx.insertInto('notification_template').values({
    ...fields, tenant_id: tenantId, is_active: input.is_active === false ? 0 : 1, created_at: now, updated_at: now,
  }).returningAll().executeTakeFirstOrThrow();
  await recordChange(trx, tenantId, { entity: 'notification_template', entityId: row.id, op: 'upsert', data: toTemplateRef(row) }, now);
  return row;
}

export async function listTemplates(deps: CloudDeps, tenantId: string, query: z.infer<typeof TemplateListQuery>): Promise<PageResult<TemplateDto>> {
  return deps.cloud.withTenant(tenantId, (trx) => {
    let q = trx.selectFrom('notification_template').selectAll().where('tenant_id', '=', tenantId);
    if (query.key) q = q.where('key', '=', query.key);
    if (query.channel) q = q.where('channel', '=', query.channel);
    if (query.language) q = q.where('language', '=', query.language);
    return pageOf(q.orderBy('key').orderBy('channel').orderBy('language').orderBy('id'), query, (rows) => rows.map(toTemplateDto));
  });
}

export async function getTemplate(deps: CloudDeps, tenantId: string, id: string): Promise<TemplateDto> {
  return deps.cloud.withTenant(tenantId, async (trx) => toTemplateDto(await findTemplate(trx, tenantId, id)));
}

export async function createTemplate(deps: CloudDeps, tenantId: string, body: z.infer<typeof CreateTemplateBody>, now: number): Promise<TemplateDto> {
  return deps.cloud.withTenant(tenantId, async (trx) => toTemplateDto(await insertTemplate(trx, tenantId, body, now)));
}

export async function updateTemplate(
  deps: CloudDeps, tenantId: string, id: string, patch: z.infer<typeof UpdateTemplateBody>, now: number,
): Promise<TemplateDto> {
  return deps.cloud.withTenant(tenantId, async (trx) => {
    const before = await findTemplate(trx, tenantId, id);
    const after = {
      id, key: patch.key ?? before.key, channel: patch.channel ?? before.channel, language: patch.language ?? before.language,
      subject: patch.subject ?? before.subject, body: patch.body ?? before.body,
    };
    await validate(trx, tenantId, after);
    const { id: _id, ...changes } = after;
    const row = await trx.updateTable('notification_template').set({
      ...changes,
      ...(patch.is_active !== undefined ? { is_active: patch.is_active ? 1 : 0 } : {}),
      updated_at: now,
    }).where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await recordChange(trx, tenantId, { entity: 'notification_template', entityId: id, op: 'upsert', data: toTemplateRef(row) }, now);
    return toTemplateDto(row);
  });
}

export async function deleteTemplate(deps: CloudDeps, tenantId: string, id: string, now: number): Promise<void> {
  await deps.cloud.withTenant(tenantId, async (trx) => {
    await findTemplate(trx, tenantId, id);
    await trx.deleteFrom('notification_template').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    await recordChange(trx, tenantId, { entity: 'notification_template', entityId: id, op: 'delete', data: {} }, now);
  });
}

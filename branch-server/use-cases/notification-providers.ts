import type { z } from 'zod';
import type { CreateProviderBody, ProviderDto } from '../contract/notifications.contract.ts';
import { appendAudit } from '../db/repositories/audit.repository.ts';
import { qb, type Db } from '../db/sqlite.ts';
import type { NotificationProviderRow } from '../db/tables/notification-provider.table.ts';
import { DomainError } from '../domain/errors.ts';
import { uuidv7 } from '../ids.ts';
import type { ChannelAdapter } from '../notifications/adapters/adapter.ts';
import { FcmSecrets, FcmSettings, fcmAdapter, GOOGLE_TOKEN_URI } from '../notifications/adapters/fcm.ts';
import { GsmModemSecrets, GsmModemSettings, gsmModemAdapter, type ModemTimeouts } from '../notifications/adapters/gsm-modem.ts';
import { SendgridSecrets, SendgridSettings, sendgridAdapter } from '../notifications/adapters/sendgrid.ts';
import { SmtpSecrets, SmtpSettings, smtpAdapter } from '../notifications/adapters/smtp.ts';
import { TwilioSecrets, TwilioSettings, twilioAdapter } from '../notifications/adapters/twilio.ts';
import type { SecretBox } from '../notifications/secret-box.ts';
import type { Caller, UseCaseDeps } from './deps.ts';

type CreateBody = z.infer<typeof CreateProviderBody>;

/** Splits a provider body into what may be shown and what is sealed. */
function split(body: CreateBody): { settings: Record<string, unknown>; secrets: Record<string, string> } {
  switch (body.provider) {
    case 'twilio': return { settings: { account_sid: body.account_sid, from: body.from }, secrets: { auth_token: body.auth_token } };
    case 'smtp': return {
      settings: { host: body.host, port: body.port, secure: body.secure ?? body.port === 465, require_tls: body.require_tls ?? false, from: body.from, ...(body.username ? { username: body.username } : {}) },
      secrets: body.password ? { password: body.password } : {},
    };
    case 'sendgrid': return { settings: { from: body.from, ...(body.from_name ? { from_name: body.from_name } : {}) }, secrets: { api_key: body.api_key } };
    case 'fcm': return {
      settings: { project_id: body.service_account.project_id, client_email: body.service_account.client_email, token_uri: body.service_account.token_uri ?? GOOGLE_TOKEN_URI },
      secrets: { private_key: body.service_account.private_key },
    };
    case 'gsm_modem': return { settings: { path: body.path, baud_rate: body.baud_rate ?? 115200 }, secrets: body.pin ? { pin: body.pin } : {} };
  }
}

export function toProviderDto(row: NotificationProviderRow, box: SecretBox): ProviderDto {
  let secretsSet: string[] = [];
  if (row.secrets) {
    try {
      secretsSet = Object.keys(JSON.parse(box.open(row.secrets, row.id)) as object).sort();
    } catch {
      secretsSet = [];
    }
  }
  return {
    id: row.id, channel: row.channel, provider: row.provider, settings: JSON.parse(row.settings) as Record<string, unknown>, secrets_set: secretsSet,
    base_url: row.base_url, is_active: row.is_active === 1,
    created_at: new Date(row.created_at).toISOString(), updated_at: new Date(row.updated_at).toISOString(),
  };
}

function getProviderRow(db: Db, tenantId: string, id: string): NotificationProviderRow {
  const row = db.first(qb.selectFrom('notification_provider').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId));
  if (!row) throw new DomainError('not-found', 'Provider not found.');
  return row;
}

/** Adds the account, or replaces the one of the same channel and provider (new credentials). Secrets are never audited. */
export function saveProvider(deps: UseCaseDeps, box: SecretBox, caller: Caller, body: CreateBody): ProviderDto {
  const { db } = deps;
  const { settings, secrets } = split(body);
  const row = db.tx(() => {
    const existing = db.first(qb.selectFrom('notification_provider').select('id').where('tenant_id', '=', caller.tenantId)
      .where('channel', '=', body.channel).where('provider', '=', body.provider));
    const id = existing?.id ?? uuidv7(caller.now);
    const values = {
      settings: JSON.stringify(settings),
      secrets: Object.keys(secrets).length > 0 ? box.seal(JSON.stringify(secrets), id) : null,
      base_url: 'base_url' in body && body.base_url ? body.base_url : null,
      is_active: body.is_active === false ? 0 as const : 1 as const,
      updated_at: caller.now,
    };
    if (existing) db.run(qb.updateTable('notification_provider').set(values).where('id', '=', id));
    else db.run(qb.insertInto('notification_provider').values({ id, tenant_id: caller.tenantId, channel: body.channel, provider: body.provider, ...values, created_at: caller.now }));
    appendAudit(db, caller.actor, {
      tenantId: caller.tenantId, action: existing ? 'notification_provider.updated' : 'notification_provider.created', entity: 'notification_provider', entityId: id,
      after: { channel: body.channel, provider: body.provider, settings, secrets: Object.keys(secrets), base_url: values.base_url },
    }, caller.now);
    return getProviderRow(db, caller.tenantId, id);
  });
  return toProviderDto(row, box);
}

export function setProviderActive(deps: UseCaseDeps, box: SecretBox, caller: Caller, id: string, active: boolean): ProviderDto {
  const { db } = deps;
  return toProviderDto(db.tx(() => {
    const before = getProviderRow(db, caller.tenantId, id);
    db.run(qb.updateTable('notification_provider').set({ is_active: active ? 1 : 0, updated_at: caller.now }).where('id', '=', id));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'notification_provider.updated', entity: 'notification_provider', entityId: id, before: { is_active: before.is_active }, after: { is_active: active ? 1 : 0 } }, caller.now);
    return getProviderRow(db, caller.tenantId, id);
  }), box);
}

export function deleteProvider(deps: UseCaseDeps, caller: Caller, id: string): void {
  const { db } = deps;
  db.tx(() => {
    const before = getProviderRow(db, caller.tenantId, id);
    db.run(qb.deleteFrom('notification_provider').where('id', '=', id));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'notification_provider.deleted', entity: 'notification_provider', entityId: id, before: { channel: before.channel, provider: before.provider } }, caller.now);
  });
}

export type AdapterOptions = Readonly<{ now: () => number; modemTimeouts?: Partial<ModemTimeouts> }>;

/** The adapter for a stored account: settings parsed, secrets opened. */
export function adapterFor(row: NotificationProviderRow, box: SecretBox, options: AdapterOptions): ChannelAdapter {
  const settings: unknown = JSON.parse(row.settings);
  const secrets: unknown = row.secrets ? JSON.parse(box.open(row.secrets, row.id)) : {};
  switch (row.provider) {
    case 'twilio': return twilioAdapter({ settings: TwilioSettings.parse(settings), secrets: TwilioSecrets.parse(secrets), baseUrl: row.base_url });
    case 'smtp': return smtpAdapter({ settings: SmtpSettings.parse(settings), secrets: SmtpSecrets.parse(secrets) });
    case 'sendgrid': return sendgridAdapter({ settings: SendgridSettings.parse(settings), secrets: SendgridSecrets.parse(secrets), baseUrl: row.base_url });
    case 'fcm': return fcmAdapter({ settings: FcmSettings.parse(settings), secrets: FcmSecrets.parse(secrets), baseUrl: row.base_url, now: options.now });
    case 'gsm_modem': return gsmModemAdapter({ settings: GsmModemSettings.parse(settings), secrets: GsmModemSecrets.parse(secrets), ...(options.modemTimeouts ? { timeouts: options.modemTimeouts } : {}) });
  }
}

/** The Twilio auth token of an account (to verify its status callbacks), or null. */
export function twilioAuthToken(row: NotificationProviderRow, box: SecretBox): string | null {
  if (row.provider !== 'twilio' || !row.secrets) return null;
  try {
    return TwilioSecrets.parse(JSON.parse(box.open(row.secrets, row.id))).auth_token;
  } catch {
    return null;
  }
}

/**
 * The active accounts of a channel in the order they are tried: internet providers first, the GSM
 * modem last (it is the fallback when the internet provider cannot be reached).
 */
export function providersForChannel(db: Db, tenantId: string, channel: NotificationProviderRow['channel']): NotificationProviderRow[] {
  return db.all(qb.selectFrom('notification_provider').selectAll().where('tenant_id', '=', tenantId).where('channel', '=', channel).where('is_active', '=', 1)
    .orderBy('created_at').orderBy('id'))
    .sort((a, b) => Number(a.provider === 'gsm_modem') - Number(b.provider === 'gsm_modem'));
}

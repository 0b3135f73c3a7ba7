import { z } from 'zod';
import { ProviderError, type ChannelAdapter, type OutgoingMessage, type SendResult } from './adapter.ts';

export const SmtpSettings = z.object({
  host: z.string(), port: z.number().int(), secure: z.boolean(), username: z.string().optional(), from: z.string(),
  /** Refuse to send credentials over a connection that did not upgrade to TLS (STARTTLS). */
  require_tls: z.boolean().optional(),
});
export const SmtpSecrets = z.object({ password: z.string().optional() });

const NETWORK_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND']);

/**
 * E-mail by SMTP through nodemailer (loaded on first use: a branch that sends no e-mail never loads
 * it). The server's 250 answer is "sent"; SMTP has no delivery report. A 4xx reply is retried, a 5xx
 * reply (mailbox unknown, relay denied) is final; no connection at all is "unreachable".
 */
export function smtpAdapter(config: Readonly<{ settings: z.infer<typeof SmtpSettings>; secrets: z.infer<typeof SmtpSecrets> }>): ChannelAdapter {
  const { settings, secrets } = config;
  return {
    kind: 'smtp',
    async send(message: OutgoingMessage): Promise<SendResult> {
      const nodemailer = await import('nodemailer');
      const transport = nodemailer.createTransport({
        host: settings.host,
        port: settings.port,
        secure: settings.secure,
        requireTLS: settings.require_tls ?? false,
        ...(settings.username ? { auth: { user: settings.username, pass: secrets.password ?? '' } } : {}),
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      });
      try {
        const info = await transport.sendMail({ from: settings.from, to: message.to, subject: message.subject, text: message.body });
        return { providerId: String(info.messageId ?? '') };
      } catch (error) {
        const e = error as { code?: string; responseCode?: number; message?: string };
        const text = `SMTP: ${e.message ?? String(error)}`.slice(0, 500);
        if (e.code && NETWORK_CODES.has(e.code)) throw new ProviderError(text, { retryable: true, unreachable: true });
        throw new ProviderError(text, { retryable: e.responseCode === undefined || (e.responseCode >= 400 && e.responseCode < 500) });
      } finally {
        transport.close();
      }
    },
  };
}

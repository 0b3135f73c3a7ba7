import type { NotificationChannel } from '../../db/tables/notification.table.ts';
import type { ProviderKind } from '../../db/tables/notification-provider.table.ts';

/** One message as every adapter takes it. */
export type OutgoingMessage = Readonly<{
  channel: NotificationChannel;
  /** E.164 phone number, e-mail address or push registration token. */
  to: string;
  subject: string;
  body: string;
  /** Where the provider should report delivery (Twilio's StatusCallback), when the server has a public URL. */
  statusCallbackUrl?: string | undefined;
}>;

export type SendResult = Readonly<{ providerId: string }>;

/**
 * Why a send failed, as the runner needs to know it: `unreachable` (no answer at all: DNS, refused,
 * timeout — the internet or the provider is down; SMS falls back to the GSM modem), `retryable`
 * (the provider answered but asks to try later: 429, 5xx, SMTP 4xx), or neither (a bad number, bad
 * credentials: retrying cannot help).
 */
export class ProviderError extends Error {
  readonly retryable: boolean;
  readonly unreachable: boolean;

  constructor(message: string, options: Readonly<{ retryable: boolean; unreachable?: boolean }>) {
    super(message);
    this.name = 'ProviderError';
    this.retryable = options.retryable || (options.unreachable ?? false);
    this.unreachable = options.unreachable ?? false;
  }
}

export interface ChannelAdapter {
  readonly kind: ProviderKind;
  send(message: OutgoingMessage): Promise<SendResult>;
}

/** Network-level failure of fetch (no HTTP answer): the host is unreachable. */
export function unreachable(provider: string, error: unknown): ProviderError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  const text = error instanceof Error ? error.message : String(error);
  return new ProviderError(`${provider} unreachable: ${cause || text}`, { retryable: true, unreachable: true });
}

/** An HTTP error answer: 408, 429 and 5xx are worth retrying, other 4xx are not. */
export function httpFailure(provider: string, status: number, detail: string): ProviderError {
  return new ProviderError(`${provider} answered ${status}: ${detail}`.slice(0, 500), { retryable: status === 408 || status === 429 || status >= 500 });
}

/** fetch with a deadline; a timeout counts as unreachable. */
export async function post(provider: string, url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { ...init, method: 'POST', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw unreachable(provider, error);
  }
}

export const HTTP_TIMEOUT_MS = 10_000;

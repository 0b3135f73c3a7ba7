import { importPKCS8, SignJWT } from 'jose';
import { z } from 'zod';
import { httpFailure, post, HTTP_TIMEOUT_MS, ProviderError, type ChannelAdapter, type OutgoingMessage, type SendResult } from './adapter.ts';

export const FcmSettings = z.object({ project_id: z.string(), client_email: z.string(), token_uri: z.string() });
export const FcmSecrets = z.object({ private_key: z.string() });
export const FCM_API = 'https://fcm.googleapis.com';
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

type CachedToken = { token: string; expiresAt: number };
/** Access tokens by service account: they last an hour, so one per hour, not one per message. */
const tokens = new Map<string, CachedToken>();
/** A token being fetched: messages sent at the same moment share one exchange. */
const fetching = new Map<string, Promise<string>>();

/**
 * Firebase Cloud Messaging HTTP v1. The service account signs a JWT (RS256) that its `token_uri`
 * exchanges for an OAuth access token (grant type jwt-bearer); then
 * `POST /v1/projects/{project}/messages:send` with `{message: {token, notification}}`; the answer's
 * `name` is the message id.
 */
export function fcmAdapter(config: Readonly<{
  settings: z.infer<typeof FcmSettings>; secrets: z.infer<typeof FcmSecrets>; baseUrl: string | null; now: () => number;
}>): ChannelAdapter {
  const { settings, secrets, now } = config;
  const base = (config.baseUrl ?? FCM_API).replace(/\/+$/, '');

  const key = `${settings.client_email}|${settings.token_uri}`;

  function accessToken(): Promise<string> {
    const cached = tokens.get(key);
    if (cached && cached.expiresAt - 60_000 > now()) return Promise.resolve(cached.token);
    let pending = fetching.get(key);
    if (!pending) {
      pending = exchange().finally(() => fetching.delete(key));
      fetching.set(key, pending);
    }
    return pending;
  }

  async function exchange(): Promise<string> {
    let privateKey: Awaited<ReturnType<typeof importPKCS8>>;
    try {
      privateKey = await importPKCS8(secrets.private_key, 'RS256');
    } catch {
      throw new ProviderError('FCM: the service account private key is not a PKCS#8 PEM key', { retryable: false });
    }
    const iat = Math.floor(now() / 1000);
    const assertion = await new SignJWT({ scope: SCOPE })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(settings.client_email).setSubject(settings.client_email).setAudience(settings.token_uri)
      .setIssuedAt(iat).setExpirationTime(iat + 3600)
      .sign(privateKey);
    const res = await post('FCM OAuth', settings.token_uri, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
    }, HTTP_TIMEOUT_MS);
    if (!res.ok) throw httpFailure('FCM OAuth', res.status, (await res.text()).slice(0, 300));
    const body = await res.json() as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string') throw httpFailure('FCM OAuth', res.status, 'no access_token in the answer');
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    tokens.set(key, { token: body.access_token, expiresAt: now() + expiresIn * 1000 });
    return body.access_token;
  }

  return {
    kind: 'fcm',
    async send(message: OutgoingMessage): Promise<SendResult> {
      const bearer = await accessToken();
      const res = await post('FCM', `${base}/v1/projects/${encodeURIComponent(settings.project_id)}/messages:send`, {
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: { token: message.to, notification: { title: message.subject, body: message.body } } }),
      }, HTTP_TIMEOUT_MS);
      if (res.status === 401) tokens.delete(key);
      if (!res.ok) throw httpFailure('FCM', res.status, (await res.text()).slice(0, 300));
      const body = await res.json() as { name?: unknown };
      return { providerId: typeof body.name === 'string' ? body.name : '' };
    },
  };
}

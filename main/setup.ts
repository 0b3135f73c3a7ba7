import { z } from 'zod';
import { TokenResponse } from '../branch-server/contract/auth.contract.ts';
import { PairedDto } from '../branch-server/contract/devices.contract.ts';
import { pair as pairPrintAgent, type AgentCredentials } from '../hardware/print-agent/credentials.ts';
import { hashPin, PIN_PATTERN } from './kiosk-exit.ts';
import { ServerUrl, type RoleConfigInput } from './role-config.ts';

const Pin = z.string().regex(PIN_PATTERN, 'the PIN must be 4 to 8 digits');
const AdminLogin = z.object({ email: z.string().trim().email().max(254), password: z.string().min(1).max(256) }).strict();
const PairingCode = z.string().trim().min(4).max(32);

/** What the first-run page sends (`shell:complete-setup`). Passwords are used once and never stored. */
export const SetupRequest = z.discriminatedUnion('role', [
  z.object({
    role: z.literal('server'),
    console: z.enum(['manager', 'agent']).default('manager'),
    port: z.number().int().min(1024).max(65_535).default(8080),
    /** HQ enrollment (the normal case), or a tenant of the branch's own on a standalone server. */
    bootstrap: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('enroll'), cloudUrl: z.url({ protocol: /^https?$/ }), token: z.string().trim().min(8).max(512) }).strict(),
      z.object({
        kind: z.literal('create-tenant'), name: z.string().trim().min(1).max(120),
        slug: z.string().trim().regex(/^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$/, 'lowercase letters, digits and dashes'),
        adminEmail: z.string().trim().email().max(254), adminPassword: z.string().min(10).max(256),
      }).strict(),
      z.object({ kind: z.literal('existing') }).strict(),
    ]),
  }).strict(),
  z.object({ role: z.literal('agent'), serverUrl: ServerUrl, admin: AdminLogin }).strict(),
  z.object({
    role: z.literal('kiosk'), serverUrl: ServerUrl, pairingCode: PairingCode, exitPin: Pin,
    /** A second code, for a print agent device: the kiosk then drives its own USB/serial printer. */
    printAgentCode: PairingCode.nullable().default(null),
  }).strict(),
  z.object({
    role: z.literal('display'), serverUrl: ServerUrl, pairingCode: PairingCode, exitPin: Pin,
    monitorId: z.number().int().nullable().default(null),
  }).strict(),
]);
export type SetupRequest = z.infer<typeof SetupRequest>;

/** A setup refused with a message for the person at the screen. */
export class SetupRefused extends Error {
  override readonly name = 'SetupRefused';
}

export type SetupResult = Readonly<{
  config: RoleConfigInput;
  /** For the server role: what the first start of the branch server must do. */
  bootstrap: Extract<SetupRequest, { role: 'server' }>['bootstrap'] | null;
  /** For a kiosk with a print agent: the agent's credentials (saved in its data directory). */
  printAgent: AgentCredentials | null;
}>;

async function call(url: string, init: RequestInit & { timeoutMs?: number }): Promise<{ status: number; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 8_000) });
  } catch (error) {
    throw new SetupRefused(`No branch server answers at ${new URL(url).origin} (${(error as Error).message}).`);
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new SetupRefused(`${new URL(url).origin} is not a SmartQueue branch server.`);
  }
  return { status: res.status, body };
}

function serverMessage(body: unknown): string {
  const b = body as { error?: unknown; detail?: unknown } | null;
  return typeof b?.error === 'string' ? b.error : typeof b?.detail === 'string' ? b.detail : 'refused';
}

/** The address typed (or found on the LAN) answers like a branch server. */
export async function checkServer(origin: string): Promise<void> {
  const { status, body } = await call(`${origin}/api/v1/health/`, { method: 'GET' });
  const health = body as { status?: unknown } | null;
  if (status >= 500 && !health?.status) throw new SetupRefused(`${origin} answered ${status}.`);
  if (!health || typeof health.status !== 'string') throw new SetupRefused(`${origin} is not a SmartQueue branch server.`);
}

/** An administrator of some tenant on that server signs in (and out again: the shell keeps no session). */
async function requireAdmin(origin: string, login: z.infer<typeof AdminLogin>): Promise<void> {
  const res = await call(`${origin}/api/v1/auth/`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(login),
  });
  if (res.status !== 200) throw new SetupRefused(`Sign-in refused: ${serverMessage(res.body)}`);
  const tokens = TokenResponse.parse(res.body);
  await call(`${origin}/api/v1/auth/logout/`, { method: 'POST', headers: { authorization: `Bearer ${tokens.token}` } }).catch(() => undefined);
  if (!tokens.user.memberships.some((m) => m.scopes.includes('manage:settings'))) {
    throw new SetupRefused('Only an administrator can set up this PC.');
  }
}

/** Redeems the pairing code made in the manager console for a device of the expected type. */
async function pair(origin: string, code: string, type: 'kiosk' | 'display'): Promise<z.infer<typeof PairedDto>> {
  const res = await call(`${origin}/api/v1/devices/pair/`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pairing_code: code }),
  });
  if (res.status !== 200) throw new SetupRefused(`Pairing refused: ${serverMessage(res.body)}`);
  const paired = PairedDto.parse(res.body);
  if (paired.type !== type) {
    throw new SetupRefused(`That code pairs a ${paired.type.replace('_', ' ')}, not a ${type}: it is used up now; make a ${type} device in the console and use its code.`);
  }
  return paired;
}

/**
 * First run: proves the person at the screen may set up this PC (an administrator's login, or a
 * pairing code made by one) and returns what to store. Throws SetupRefused with a message to show.
 */
export async function completeSetup(input: unknown): Promise<SetupResult> {
  const parsed = SetupRequest.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SetupRefused(`${issue?.path.join('.') || 'setup'}: ${issue?.message ?? 'invalid'}`);
  }
  const request = parsed.data;
  switch (request.role) {
    case 'server':
      // The server does not exist yet: the enrollment token (single use, from HQ) or the first
      // administrator's account made now is what protects it.
      return { config: { role: 'server', console: request.console, port: request.port }, bootstrap: request.bootstrap, printAgent: null };
    case 'agent':
      await checkServer(request.serverUrl);
      await requireAdmin(request.serverUrl, request.admin);
      return { config: { role: 'agent', serverUrl: request.serverUrl }, bootstrap: null, printAgent: null };
    case 'kiosk': {
      await checkServer(request.serverUrl);
      const paired = await pair(request.serverUrl, request.pairingCode, 'kiosk');
      const printAgent = request.printAgentCode
        ? await pairPrintAgent(request.serverUrl, request.printAgentCode).catch((error: unknown) => {
          throw new SetupRefused(`Print agent pairing refused: ${(error as Error).message}`);
        })
        : null;
      return {
        config: { role: 'kiosk', serverUrl: request.serverUrl, exitPin: hashPin(request.exitPin), deviceKey: paired.device_key },
        bootstrap: null, printAgent,
      };
    }
    case 'display': {
      await checkServer(request.serverUrl);
      const paired = await pair(request.serverUrl, request.pairingCode, 'display');
      if (!paired.display_id) throw new SetupRefused('That display device is not bound to a display configuration.');
      return {
        config: {
          role: 'display', serverUrl: request.serverUrl, displayId: paired.display_id, monitorId: request.monitorId,
          exitPin: hashPin(request.exitPin), deviceKey: paired.device_key,
        },
        bootstrap: null, printAgent: null,
      };
    }
  }
}

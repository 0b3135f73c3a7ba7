import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PairedDto } from '../../branch-server/contract/devices.contract.ts';

/** What a paired agent keeps (DATA_DIR/agent.json, readable by its user only). */
export const AgentCredentials = z.object({
  server_url: z.string().url(),
  device_id: z.string(),
  device_key: z.string(),
  tenant_slug: z.string(),
});
export type AgentCredentials = z.infer<typeof AgentCredentials>;

const FILE = 'agent.json';

export class PairingError extends Error {
  override readonly name = 'PairingError';
}

export function loadCredentials(dataDir: string): AgentCredentials | null {
  const file = join(dataDir, FILE);
  if (!existsSync(file)) return null;
  const parsed = AgentCredentials.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new PairingError(`${file} is not a print agent's credentials file: pair again (--pair <code>).`);
  return parsed.data;
}

export function saveCredentials(dataDir: string, credentials: AgentCredentials): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600, flush: true });
  renameSync(`${file}.tmp`, file);
}

/** Exchanges a pairing code (shown in the manager console) for this agent's device key. */
export async function pair(serverUrl: string, pairingCode: string, fetchImpl: typeof fetch = fetch): Promise<AgentCredentials> {
  const base = serverUrl.replace(/\/+$/, '');
  let res: Response;
  try {
    res = await fetchImpl(`${base}/api/v1/devices/pair/`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pairing_code: pairingCode }),
    });
  } catch (error) {
    throw new PairingError(`Cannot reach ${base}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const detail = body && typeof body === 'object' && 'error' in body ? String(body.error) : body && typeof body === 'object' && 'detail' in body ? String(body.detail) : `HTTP ${res.status}`;
    throw new PairingError(`Pairing refused: ${detail}`);
  }
  const paired = PairedDto.parse(body);
  if (paired.type !== 'print_agent') throw new PairingError(`This pairing code is for a ${paired.type}, not a print agent.`);
  return { server_url: base, device_id: paired.device_id, device_key: paired.device_key, tenant_slug: paired.tenant_slug };
}

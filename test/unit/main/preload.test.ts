import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SHELL_API_KEYS } from '../../../main/contract/shell-channels.ts';
import { createShellApi, SHELL_GLOBAL } from '../../../main/preload-api.ts';
import { buildMain } from '../../../scripts/build-main.ts';

/** What a preload gets from `require('electron')` in a sandboxed renderer, recorded. */
function fakeElectron() {
  const exposed = new Map<string, Record<string, unknown>>();
  const invoked: { channel: string; args: unknown[] }[] = [];
  const listeners: ((e: { clientX: number; clientY: number; timeStamp: number }) => void)[] = [];
  return {
    exposed, invoked, listeners,
    contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (channel: string, ...args: unknown[]) => {
        invoked.push({ channel, args });
        return null;
      },
      send: () => { throw new Error('the preload must not use send'); },
    },
    window: { addEventListener: (_type: string, l: (e: { clientX: number; clientY: number; timeStamp: number }) => void) => listeners.push(l) },
  };
}

describe('preload', () => {
  let outdir: string;
  beforeAll(async () => {
    // Built like `npm run build:main` does, into a scratch folder: the test runs the real bundle.
    outdir = mkdtempSync(join(import.meta.dirname, '.preload-build-'));
    await buildMain({ outdir, only: ['preload'] });
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('exposes only its named functions on window.smartqueueShell (the bundle, run as a sandboxed preload)', async () => {
    const electron = fakeElectron();
    const code = readFileSync(join(outdir, 'main', 'preload.cjs'), 'utf8');
    const required: string[] = [];
    runInNewContext(code, {
      require: (name: string) => {
        required.push(name);
        if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
        return { contextBridge: electron.contextBridge, ipcRenderer: electron.ipcRenderer };
      },
      module: { exports: {} }, exports: {}, globalThis: electron.window, window: electron.window,
    });
    expect(required).toEqual(['electron']);
    expect([...electron.exposed.keys()]).toEqual([SHELL_GLOBAL]);
    const api = electron.exposed.get(SHELL_GLOBAL)!;
    expect(Object.keys(api).sort()).toEqual([...SHELL_API_KEYS].sort());
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);

    await (api['reportDeskSession'] as (s: unknown) => Promise<void>)({ tenant: 'demo-bank', token: 't'.repeat(20) });
    await (api['leaveKiosk'] as (p: string) => Promise<unknown>)('1234');
    await (api['getSetupState'] as () => Promise<unknown>)();
    expect(electron.invoked).toEqual([
      { channel: 'shell:desk-session', args: [{ tenant: 'demo-bank', token: 't'.repeat(20) }] },
      { channel: 'shell:leave-kiosk', args: ['1234'] },
      { channel: 'shell:setup-state', args: [] },
    ]);
  });

  it('sends the exit gesture after five taps in the top-left corner, not for taps elsewhere', async () => {
    const electron = fakeElectron();
    runInNewContext(readFileSync(join(outdir, 'main', 'preload.cjs'), 'utf8'), {
      require: () => ({ contextBridge: electron.contextBridge, ipcRenderer: electron.ipcRenderer }),
      module: { exports: {} }, exports: {}, globalThis: electron.window, window: electron.window,
    });
    const tap = (x: number, y: number, at: number) => electron.listeners.forEach((l) => l({ clientX: x, clientY: y, timeStamp: at }));
    [0, 100, 200, 300].forEach((at) => tap(10, 10, at));
    tap(500, 400, 350); // a customer's tap elsewhere resets the count
    [400, 500, 600, 700].forEach((at) => tap(10, 10, at));
    expect(electron.invoked).toEqual([]);
    tap(20, 20, 800);
    await vi.waitFor(() => expect(electron.invoked).toEqual([{ channel: 'shell:exit-gesture', args: [] }]));
  });

  it('does not hand out ipcRenderer through the API', () => {
    const electron = fakeElectron();
    const api = createShellApi(electron.ipcRenderer);
    for (const value of Object.values(api)) {
      expect(value).not.toBe(electron.ipcRenderer);
      expect(value).not.toBe(electron.ipcRenderer.invoke);
    }
  });
});

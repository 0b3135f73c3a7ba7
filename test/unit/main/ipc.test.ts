import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { handleShell, IpcRejected, type InvokeEvent, type IpcMainLike } from '../../../main/ipc.ts';

const SERVER = 'http://192.168.1.10:8080';

/** ipcMain double: records handlers; `invoke` plays a renderer's call. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: InvokeEvent, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => unknown) {
    this.handlers.set(channel, listener);
  }
  async invoke(channel: string, frame: InvokeEvent['senderFrame'], ...args: unknown[]) {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler({ senderFrame: frame }, ...args);
  }
}

const top = (url: string) => ({ url, parent: null });

function setup() {
  const ipc = new FakeIpcMain();
  const calls: unknown[] = [];
  handleShell(ipc, 'desk-session', (origin) => origin === SERVER, z.object({ tenant: z.string() }).strict().nullable(), (arg, origin) => {
    calls.push({ arg, origin });
    return 'ok';
  });
  return { ipc, calls };
}

describe('shell: IPC', () => {
  it('registers the channel under the shell: prefix only', () => {
    const { ipc } = setup();
    expect([...ipc.handlers.keys()]).toEqual(['shell:desk-session']);
  });

  it('answers a top-level page of the allowed origin, with the parsed argument', async () => {
    const { ipc, calls } = setup();
    await expect(ipc.invoke('shell:desk-session', top(`${SERVER}/agent`), { tenant: 'demo-bank' })).resolves.toBe('ok');
    expect(calls).toEqual([{ arg: { tenant: 'demo-bank' }, origin: SERVER }]);
  });

  it.each([
    ['a foreign site', top('https://evil.example.com/')],
    ['the right host on another port', top('http://192.168.1.10:8081/agent')],
    ['the right host over another scheme', top('https://192.168.1.10:8080/agent')],
    ['a file page', top('file:///home/kiosk/x.html')],
    ['a data: page', top('data:text/html,hi')],
    ['an opaque origin', top('about:blank')],
    ['an iframe of the trusted origin', { url: `${SERVER}/agent`, parent: { url: `${SERVER}/agent` } }],
    ['a frame that is gone', null],
  ])('rejects %s and never runs the handler', async (_label, frame) => {
    const { ipc, calls } = setup();
    await expect(ipc.invoke('shell:desk-session', frame, { tenant: 'demo-bank' })).rejects.toThrow(IpcRejected);
    expect(calls).toEqual([]);
  });

  it('rejects an argument that does not match the channel\'s schema, or extra arguments', async () => {
    const { ipc, calls } = setup();
    await expect(ipc.invoke('shell:desk-session', top(`${SERVER}/agent`), { tenant: 'x', extra: 1 })).rejects.toThrow(/shell:desk-session/);
    await expect(ipc.invoke('shell:desk-session', top(`${SERVER}/agent`), 'text')).rejects.toThrow(IpcRejected);
    await expect(ipc.invoke('shell:desk-session', top(`${SERVER}/agent`), null, 'more')).rejects.toThrow(/one argument/);
    expect(calls).toEqual([]);
  });

  it('decides the allowed origin per call (the server address can change at setup)', async () => {
    const ipc = new FakeIpcMain();
    let server = 'http://a:8080';
    handleShell(ipc, 'ping', (origin) => origin === server, z.undefined(), () => 'pong');
    await expect(ipc.invoke('shell:ping', top('http://a:8080/agent'))).resolves.toBe('pong');
    server = 'http://b:8080';
    await expect(ipc.invoke('shell:ping', top('http://a:8080/agent'))).rejects.toThrow(IpcRejected);
  });
});

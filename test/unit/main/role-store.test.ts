import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPin } from '../../../main/kiosk-exit.ts';
import { normalizeServerUrl, startUrl, updateFeedUrl } from '../../../main/role-config.ts';
import { createRoleStore, RoleStoreError } from '../../../main/role-store.ts';

describe('role store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sq-role-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('has no role before the first-run setup', () => {
    expect(createRoleStore(dir).load()).toBeNull();
  });

  it('keeps the chosen role across restarts (a new store on the same user data)', () => {
    createRoleStore(dir).save({ role: 'agent', serverUrl: '192.168.1.10:8080' });
    const loaded = createRoleStore(dir).load();
    expect(loaded).toEqual({ role: 'agent', serverUrl: 'http://192.168.1.10:8080', updateFeedUrl: null, startAtLogin: true });
    expect(readdirSync(dir)).toEqual(['role.json']);
  });

  it('stores a kiosk with its PIN hashed, never the PIN', () => {
    const saved = createRoleStore(dir).save({ role: 'kiosk', serverUrl: 'http://branch.local:8080/', exitPin: hashPin('4821'), deviceKey: 'k'.repeat(40) });
    const text = readFileSync(join(dir, 'role.json'), 'utf8');
    expect(text).not.toContain('4821');
    expect(saved.role === 'kiosk' && saved.serverUrl).toBe('http://branch.local:8080');
  });

  it('refuses to store an invalid role and leaves the stored one', () => {
    const store = createRoleStore(dir);
    store.save({ role: 'agent', serverUrl: 'http://10.0.0.2:8080' });
    expect(() => store.save({ role: 'agent', serverUrl: 'ftp://x' })).toThrow();
    expect(() => store.save({ role: 'display', serverUrl: 'http://x', displayId: '../../etc', exitPin: hashPin('1234') } as never)).toThrow();
    expect(store.load()).toMatchObject({ role: 'agent', serverUrl: 'http://10.0.0.2:8080' });
  });

  it('says how to recover from a damaged file', () => {
    writeFileSync(join(dir, 'role.json'), '{"role": "agent"');
    expect(() => createRoleStore(dir).load()).toThrow(RoleStoreError);
    writeFileSync(join(dir, 'role.json'), '{"role": "printer"}');
    expect(() => createRoleStore(dir).load()).toThrow(/delete it to run the first-run setup again/);
  });

  it('writes atomically: no temporary file is left behind', () => {
    createRoleStore(dir).save({ role: 'server' });
    expect(existsSync(join(dir, 'role.json.tmp'))).toBe(false);
  });
});

describe('role config', () => {
  it.each([
    ['192.168.1.10:8080', 'http://192.168.1.10:8080'],
    ['http://branch.local:8080/', 'http://branch.local:8080'],
    ['https://q.example.com', 'https://q.example.com'],
    ['  10.0.0.5  ', 'http://10.0.0.5'],
    ['http://x:8080/agent', null],
    ['http://user:pw@x', null],
    ['file:///etc/passwd', null],
    ['javascript:alert(1)', null],
    ['', null],
  ])('normalises the typed server address %j to %j', (input, expected) => {
    expect(normalizeServerUrl(input)).toBe(expected);
  });

  it('opens the page of each role, handing the device key to a kiosk or display once in the fragment', () => {
    const pin = hashPin('1234');
    expect(startUrl({ role: 'server', port: 8080, console: 'manager', updateFeedUrl: null, startAtLogin: true })).toBe('http://127.0.0.1:8080/manager');
    expect(startUrl({ role: 'agent', serverUrl: 'http://s:8080', updateFeedUrl: null, startAtLogin: true })).toBe('http://s:8080/agent');
    expect(startUrl({ role: 'kiosk', serverUrl: 'http://s:8080', exitPin: pin, deviceKey: 'abc/def+ghijklmnop', updateFeedUrl: null, startAtLogin: true }))
      .toBe('http://s:8080/kiosk#key=abc%2Fdef%2Bghijklmnop');
    expect(startUrl({ role: 'display', serverUrl: 'http://s:8080', displayId: 'd-1', monitorId: null, exitPin: pin, deviceKey: null, updateFeedUrl: null, startAtLogin: true }))
      .toBe('http://s:8080/display/d-1');
  });

  it('takes updates from the branch server\'s LAN mirror unless a feed is configured', () => {
    expect(updateFeedUrl({ role: 'agent', serverUrl: 'http://s:8080', updateFeedUrl: null, startAtLogin: true })).toBe('http://s:8080/updates/');
    expect(updateFeedUrl({ role: 'agent', serverUrl: 'http://s:8080', updateFeedUrl: 'https://cdn.example.com/sq/', startAtLogin: true })).toBe('https://cdn.example.com/sq/');
    expect(updateFeedUrl({ role: 'server', port: 8080, console: 'manager', updateFeedUrl: null, startAtLogin: true })).toBeNull();
  });
});

import type { BrowserWindowConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { cspFor, mayGrantPermission, mayNavigate, SHELL_CSP, SHELL_ORIGIN } from '../../../main/navigation-policy.ts';
import { createWindow, RELOAD_AFTER_FAILURE_MS, type BrowserWindowLike, type WebContentsLike } from '../../../main/window-factory.ts';
import { HIDE_CURSOR_CSS, windowOptions } from '../../../main/window-options.ts';

const BOUNDS = { x: 1920, y: 0, width: 1280, height: 720 };
const SERVER = 'http://192.168.1.10:8080';
const TRUSTED = [SERVER, SHELL_ORIGIN];

/** A BrowserWindow double recording what the factory wires; events are fired by the test. */
class FakeWindow implements BrowserWindowLike {
  static created: FakeWindow[] = [];
  readonly listeners = new Map<string, ((...args: any[]) => void)[]>();
  readonly loaded: string[] = [];
  readonly css: string[] = [];
  reloads = 0;
  shown = false;
  openHandler: ((d: { url: string }) => { action: 'deny' }) | null = null;
  readonly webContents: WebContentsLike;
  constructor(readonly options: BrowserWindowConstructorOptions) {
    FakeWindow.created.push(this);
    const self = this;
    this.webContents = {
      on(event: string, listener: (...args: any[]) => void) {
        self.listeners.set(event, [...(self.listeners.get(event) ?? []), listener]);
      },
      setWindowOpenHandler(handler) { self.openHandler = handler; },
      insertCSS: async (css) => { self.css.push(css); },
      reload: () => { self.reloads += 1; },
    } as WebContentsLike;
  }
  async loadURL(url: string) { this.loaded.push(url); }
  once(event: string, listener: () => void) { this.listeners.set(`once:${event}`, [listener]); }
  show() { this.shown = true; }
  isDestroyed() { return false; }
  fire(event: string, ...args: unknown[]) { for (const l of this.listeners.get(event) ?? []) l(...args); }
}

function open(role: 'server' | 'agent' | 'kiosk' | 'display' | 'setup', url = `${SERVER}/agent`) {
  const timers: { fn: () => void; ms: number }[] = [];
  const logs: string[] = [];
  const win = createWindow({
    BrowserWindow: FakeWindow, preloadPath: '/app/dist/main/preload.cjs', trustedOrigins: () => TRUSTED,
    setTimer: (fn, ms) => void timers.push({ fn, ms }), log: (l) => logs.push(l),
  }, { role, url, bounds: BOUNDS }) as FakeWindow;
  return { win, timers, logs };
}

function navigate(win: FakeWindow, event: string, url: string): boolean {
  let prevented = false;
  win.fire(event, { preventDefault: () => { prevented = true; }, url }, url);
  return prevented;
}

describe('window options', () => {
  it.each(['server', 'agent', 'kiosk', 'display', 'setup'] as const)('hardens every %s window the same way', (role) => {
    const prefs = windowOptions({ role, preloadPath: '/p.cjs', bounds: BOUNDS }).webPreferences!;
    expect(prefs).toMatchObject({
      preload: '/p.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false, webviewTag: false, webSecurity: true, allowRunningInsecureContent: false,
      autoplayPolicy: 'no-user-gesture-required',
    });
  });

  it('makes the kiosk a full-screen kiosk window that cannot be closed or moved', () => {
    const options = windowOptions({ role: 'kiosk', preloadPath: '/p.cjs', bounds: BOUNDS });
    expect(options).toMatchObject({ kiosk: true, fullscreen: true, frame: false, closable: false, movable: false, alwaysOnTop: true });
    expect(options.webPreferences!.backgroundThrottling).toBe(false);
  });

  it('puts the display full screen on the chosen monitor, never taking focus', () => {
    const options = windowOptions({ role: 'display', preloadPath: '/p.cjs', bounds: BOUNDS });
    expect(options).toMatchObject({ fullscreen: true, frame: false, focusable: false, x: 1920, y: 0, width: 1280, height: 720 });
    expect(options.kiosk).toBeUndefined();
  });

  it('gives counters and the server PC an ordinary window', () => {
    for (const role of ['agent', 'server'] as const) {
      const options = windowOptions({ role, preloadPath: '/p.cjs', bounds: BOUNDS });
      expect(options.kiosk).toBeUndefined();
      expect(options.fullscreen).toBeUndefined();
      expect(options.frame).toBeUndefined();
    }
  });
});

describe('window factory', () => {
  it('loads the role page and shows the window once it is ready', () => {
    const { win } = open('agent');
    expect(win.loaded).toEqual([`${SERVER}/agent`]);
    expect(win.shown).toBe(false);
    win.fire('once:ready-to-show');
    expect(win.shown).toBe(true);
  });

  it.each([
    'https://evil.example.com/',
    'http://192.168.1.10:8081/agent',
    'https://192.168.1.10:8080/agent',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'app://other/setup.html',
  ])('denies navigation and redirects to %s', (url) => {
    const { win } = open('kiosk');
    expect(navigate(win, 'will-navigate', url)).toBe(true);
    expect(navigate(win, 'will-redirect', url)).toBe(true);
  });

  it('lets a page move within the branch server and the shell pages', () => {
    const { win } = open('agent');
    expect(navigate(win, 'will-navigate', `${SERVER}/manager`)).toBe(false);
    expect(navigate(win, 'will-navigate', `${SHELL_ORIGIN}/exit.html`)).toBe(false);
  });

  it('never opens a new window, even for the trusted origin', () => {
    const { win } = open('agent');
    expect(win.openHandler!({ url: `${SERVER}/manager` })).toEqual({ action: 'deny' });
    expect(win.openHandler!({ url: 'https://evil.example.com' })).toEqual({ action: 'deny' });
  });

  it('refuses webviews', () => {
    const { win } = open('agent');
    let prevented = false;
    win.fire('will-attach-webview', { preventDefault: () => { prevented = true; } });
    expect(prevented).toBe(true);
  });

  it('reloads a crashed renderer', () => {
    const { win } = open('kiosk');
    win.fire('render-process-gone', {}, { reason: 'crashed' });
    win.fire('render-process-gone', {}, { reason: 'oom' });
    expect(win.reloads).toBe(2);
  });

  it('retries the page when the branch server could not be reached, but not for a cancelled load or a subframe', () => {
    const { win, timers } = open('display', `${SERVER}/display/d1`);
    win.fire('did-fail-load', {}, -3, 'ERR_ABORTED', `${SERVER}/display/d1`, true);
    win.fire('did-fail-load', {}, -102, 'ERR_CONNECTION_REFUSED', `${SERVER}/x`, false);
    expect(timers).toHaveLength(0);
    win.fire('did-fail-load', {}, -102, 'ERR_CONNECTION_REFUSED', `${SERVER}/display/d1`, true);
    expect(timers).toEqual([{ fn: expect.any(Function), ms: RELOAD_AFTER_FAILURE_MS }]);
    timers[0]!.fn();
    expect(win.loaded).toEqual([`${SERVER}/display/d1`, `${SERVER}/display/d1`]);
  });

  it('hides the pointer on displays only', () => {
    const display = open('display', `${SERVER}/display/d1`).win;
    display.fire('dom-ready');
    expect(display.css).toEqual([HIDE_CURSOR_CSS]);
    const kiosk = open('kiosk').win;
    kiosk.fire('dom-ready');
    expect(kiosk.css).toEqual([]);
  });
});

describe('navigation policy', () => {
  it('grants only fullscreen and clipboard writes, and only to trusted pages', () => {
    expect(mayGrantPermission('fullscreen', `${SERVER}/kiosk`, TRUSTED)).toBe(true);
    expect(mayGrantPermission('fullscreen', 'https://evil.example.com', TRUSTED)).toBe(false);
    for (const permission of ['media', 'geolocation', 'notifications', 'hid', 'serial', 'usb', 'openExternal', 'clipboard-read']) {
      expect(mayGrantPermission(permission, `${SERVER}/agent`, TRUSTED)).toBe(false);
    }
  });

  it('keeps the branch server\'s CSP on its pages and puts the shell\'s strict one on the shell pages and pages without one', () => {
    expect(cspFor(`${SERVER}/kiosk`, "default-src 'self'")).toBe("default-src 'self'");
    expect(cspFor(`${SERVER}/api/docs/`, undefined)).toBe(SHELL_CSP);
    expect(cspFor(`${SHELL_ORIGIN}/setup.html`, "default-src *")).toBe(SHELL_CSP);
    expect(mayNavigate('not a url', TRUSTED)).toBe(false);
  });
});

import type { BrowserWindowConstructorOptions, Rectangle } from 'electron';
import type { Role } from './role-config.ts';

export type WindowOptionsInput = Readonly<{
  role: Role | 'setup';
  preloadPath: string;
  /** Bounds of the monitor the window belongs on (display role: the chosen one). */
  bounds: Rectangle;
}>;

/**
 * The one place window options are decided. **Important**: every window gets contextIsolation,
 * sandbox, no Node integration and no webview tag whatever its role; roles only change the frame.
 */
export function windowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  const { role, bounds } = input;
  const base: BrowserWindowConstructorOptions = {
    show: false,
    backgroundColor: '#10151c',
    autoHideMenuBar: true,
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // Calls must be heard without anyone touching the screen first.
      autoplayPolicy: 'no-user-gesture-required',
      // Displays and kiosks must keep running at full speed when not focused.
      backgroundThrottling: role === 'server' || role === 'agent' || role === 'setup',
    },
  };
  switch (role) {
    case 'kiosk':
      return { ...base, ...bounds, kiosk: true, fullscreen: true, frame: false, resizable: false, movable: false, minimizable: false, closable: false, alwaysOnTop: true };
    case 'display':
      return { ...base, ...bounds, fullscreen: true, frame: false, resizable: false, movable: false, minimizable: false, closable: false, focusable: false };
    case 'setup':
      return { ...base, width: 720, height: 640, center: true, resizable: false, minimizable: false, maximizable: false, fullscreenable: false, title: 'SmartQueue setup' };
    case 'server':
    case 'agent':
      return { ...base, x: bounds.x, y: bounds.y, width: Math.min(1400, bounds.width), height: Math.min(900, bounds.height), minWidth: 800, minHeight: 600, title: 'SmartQueue' };
  }
}

/** Hides the pointer on displays (nobody uses a mouse on a waiting-room TV). */
export const HIDE_CURSOR_CSS = '*, *::before, *::after { cursor: none !important; }';

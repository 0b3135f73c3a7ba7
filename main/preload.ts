import { contextBridge, ipcRenderer } from 'electron';
import { installPreload, type PointerTarget } from './preload-api.ts';

// Sandboxed preload (bundled to CommonJS): only the named API of preload-api.ts reaches the page.
// globalThis is the page's window, seen from the preload's isolated world.
installPreload(contextBridge, ipcRenderer, globalThis as unknown as PointerTarget);

import { useEffect, useRef } from 'react';

export type ShortcutId = 'callNext' | 'recall' | 'start' | 'close' | 'transfer' | 'pause' | 'noShow' | 'break' | 'help';

type Shortcut = Readonly<{ label: string; key: string; code: string | null }>;

/**
 * One key per action, shown on its button. Letters match the character typed (AZERTY, QWERTY) and,
 * when the layout types no Latin letter (Arabic), the physical key of the same name.
 */
export const SHORTCUTS: Readonly<Record<ShortcutId, Shortcut>> = {
  callNext: { label: 'N', key: 'n', code: 'KeyN' },
  recall: { label: 'R', key: 'r', code: 'KeyR' },
  start: { label: 'S', key: 's', code: 'KeyS' },
  close: { label: 'C', key: 'c', code: 'KeyC' },
  transfer: { label: 'T', key: 't', code: 'KeyT' },
  pause: { label: 'P', key: 'p', code: 'KeyP' },
  noShow: { label: 'X', key: 'x', code: 'KeyX' },
  break: { label: 'B', key: 'b', code: 'KeyB' },
  help: { label: '?', key: '?', code: null },
};

export const SHORTCUT_ORDER: readonly ShortcutId[] = ['callNext', 'recall', 'start', 'close', 'transfer', 'pause', 'noShow', 'break', 'help'];

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export function matchShortcut(event: Pick<KeyboardEvent, 'key' | 'code'>): ShortcutId | null {
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (key === '?' || key === '؟') return 'help';
  const latin = /^[a-z]$/.test(key);
  for (const id of SHORTCUT_ORDER) {
    const s = SHORTCUTS[id];
    if (latin ? key === s.key : s.code !== null && event.code === s.code) return id;
  }
  return null;
}

/** Runs the handler of a shortcut key, unless the agent is typing, a dialog is open or a modifier is held. */
export function useShortcuts(handlers: Partial<Record<ShortcutId, () => void>>): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || event.repeat || event.defaultPrevented) return;
      if (isTyping(event.target) || document.querySelector('dialog[open]')) return;
      const id = matchShortcut(event);
      const handler = id ? ref.current[id] : undefined;
      if (!handler) return;
      event.preventDefault();
      handler();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

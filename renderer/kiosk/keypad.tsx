import type { MouseEvent } from 'react';

export const DIGIT_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '+', '0'] as const;
/** The characters of pairing and check-in codes (no I, O, 0 or 1: nothing to confuse). */
export const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const CODE_KEYS = [...'23456789', ...'ABCDEFGHJKLMNPQRSTUVWXYZ'];

// Keeps the focus in the field, so a keyboard-wedge scanner keeps typing there after a key was touched.
export const keepFocus = (event: MouseEvent) => event.preventDefault();

export function BackspaceIcon() {
  return (
    <svg viewBox="0 0 24 24" width="36" height="36" aria-hidden="true" focusable="false">
      <path d="M21 5H9l-6 7 6 7h12z" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" />
      <path d="M12 9l6 6M18 9l-6 6" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}

/** A big on-screen keypad: numbers stay left-to-right whatever the language, as on every phone. */
export function Keypad(props: Readonly<{
  keys: readonly string[];
  columns: number;
  onKey: (key: string) => void;
  /** Without it, the delete key is left out (a code field has its own next to it). */
  onDelete?: () => void;
  deleteLabel?: string;
  disabled?: boolean;
  full?: boolean;
  className?: string;
}>) {
  return (
    <div className={`kiosk-keypad ${props.className ?? ''}`} dir="ltr" style={{ gridTemplateColumns: `repeat(${props.columns}, minmax(0, 1fr))` }}>
      {props.keys.map((key) => (
        <button key={key} type="button" className="kiosk-key" onMouseDown={keepFocus} disabled={props.disabled || props.full}
          onClick={() => props.onKey(key)}>{key}</button>
      ))}
      {props.onDelete && (
        <button type="button" className="kiosk-key kiosk-key--delete" onMouseDown={keepFocus} disabled={props.disabled}
          aria-label={props.deleteLabel} title={props.deleteLabel} onClick={props.onDelete}><BackspaceIcon /></button>
      )}
    </div>
  );
}

/**
 * Upper case, only the code alphabet, at most `length` characters: the first ones for a typed code,
 * the last ones for a scanned one (a scanned link ends with the code).
 */
export function cleanCode(text: string, length: number, keep: 'first' | 'last' = 'first'): string {
  const kept = [...text.toUpperCase()].filter((ch) => CODE_ALPHABET.includes(ch)).join('');
  return keep === 'first' ? kept.slice(0, length) : kept.slice(Math.max(0, kept.length - length));
}

/** Digits and one leading "+", at most 16 characters. */
export function cleanPhone(text: string): string {
  const plus = text.trimStart().startsWith('+') ? '+' : '';
  return (plus + text.replace(/\D/g, '')).slice(0, 16);
}

export function phoneDigits(phone: string): number {
  return phone.replace(/\D/g, '').length;
}

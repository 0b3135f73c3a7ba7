import type { CSSProperties } from 'react';

/**
 * The display's `theme` object: `mode` ("dark", the default — a TV in a hall, or "light") and colours
 * as #rgb / #rrggbb: `background`, `surface`, `text`, `muted`, `accent` (the number being called),
 * `highlight` (counters). Anything else, or a value that is not a colour, is ignored, so a typo can
 * never blank the screen.
 */
const DARK = {
  '--d-bg': '#0a1b33',
  '--d-surface': '#10284a',
  '--d-surface-2': '#163461',
  '--d-line': '#2a4a78',
  '--d-text': '#ffffff',
  '--d-muted': '#c2d0e4',
  '--d-accent': '#ffc940',
  '--d-highlight': '#7fe3cf',
} as const;

const LIGHT = {
  '--d-bg': '#eef2f7',
  '--d-surface': '#ffffff',
  '--d-surface-2': '#e3eaf4',
  '--d-line': '#c9d3e1',
  '--d-text': '#0f1b2d',
  '--d-muted': '#3e4c63',
  '--d-accent': '#0b4f9c',
  '--d-highlight': '#00695c',
} as const;

const KEYS: Record<string, keyof typeof DARK> = {
  background: '--d-bg',
  surface: '--d-surface',
  text: '--d-text',
  muted: '--d-muted',
  accent: '--d-accent',
  highlight: '--d-highlight',
};

const COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

export function themeStyle(raw: unknown): CSSProperties {
  const theme = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const vars: Record<string, string> = { ...(theme['mode'] === 'light' ? LIGHT : DARK) };
  for (const [key, variable] of Object.entries(KEYS)) {
    const value = theme[key];
    if (typeof value === 'string' && COLOUR.test(value)) vars[variable] = value;
  }
  return vars as CSSProperties;
}

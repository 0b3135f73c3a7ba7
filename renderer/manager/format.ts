import type { Language } from '../shared/i18n.tsx';

/** Arabic keeps Latin digits, as ticket numbers and the rest of the product do. */
export function localeOf(lang: Language): string {
  return lang === 'ar' ? 'ar-u-nu-latn' : lang === 'en' ? 'en-GB' : 'fr-FR';
}

function unit(lang: Language, value: number, name: 'hour' | 'minute' | 'second'): string {
  return new Intl.NumberFormat(localeOf(lang), { style: 'unit', unit: name, unitDisplay: 'short' }).format(value);
}

/** A duration a manager reads at a glance: "45 s", "4 min 05 s", "1 h 12 min"; "–" when unknown. */
export function formatDuration(lang: Language, seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return unit(lang, total, 'second');
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  if (hours > 0) return `${unit(lang, hours, 'hour')} ${unit(lang, minutes, 'minute')}`;
  const rest = total % 60;
  return rest === 0 ? unit(lang, minutes, 'minute') : `${unit(lang, minutes, 'minute')} ${unit(lang, rest, 'second')}`;
}

export function formatDateTime(lang: Language, iso: string | null | undefined): string {
  if (!iso) return '–';
  return new Intl.DateTimeFormat(localeOf(lang), { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
}

export function formatNumber(lang: Language, value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined) return '–';
  return new Intl.NumberFormat(localeOf(lang), { maximumFractionDigits: digits }).format(value);
}

export function formatPercent(lang: Language, value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return new Intl.NumberFormat(localeOf(lang), { style: 'percent', maximumFractionDigits: 1 }).format(value / 100);
}

/** Today as YYYY-MM-DD in the browser's time zone. */
export function todayIso(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Cloud rows keep epoch ms; the v1 API speaks ISO 8601. */
export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : iso(ms));

/** A LIKE pattern matching `text` anywhere, with % and _ taken literally (backslash escapes, PostgreSQL's default). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function parseObject(text: unknown): Record<string, unknown> {
  if (text !== null && typeof text === 'object' && !Array.isArray(text)) return text as Record<string, unknown>;
  if (typeof text !== 'string') return {};
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function parseStringArray(text: unknown): string[] {
  let value: unknown = text;
  if (typeof text === 'string') {
    try {
      value = JSON.parse(text);
    } catch {
      return [];
    }
  }
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** A JSON text column as a value (audit before/after, event explanations), null when absent. */
export function parseJsonOrNull(text: unknown): unknown {
  if (typeof text !== 'string') return text ?? null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Fields of an uploaded row's `data`, read defensively: the branch's schema may grow between versions. */
export const str = (data: Record<string, unknown>, key: string, fallback = ''): string =>
  (typeof data[key] === 'string' ? (data[key] as string) : fallback);
export const strOrNull = (data: Record<string, unknown>, key: string): string | null =>
  (typeof data[key] === 'string' ? (data[key] as string) : null);
export const intOrNull = (data: Record<string, unknown>, key: string): number | null =>
  (typeof data[key] === 'number' && Number.isFinite(data[key]) ? Math.trunc(data[key] as number) : null);

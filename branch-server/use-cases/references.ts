import type { Db } from '../db/sqlite.ts';
import { DomainError } from '../domain/errors.ts';

/** Tenant-owned tables a request body may point at. */
export type ReferencedTable = 'site' | 'service' | 'queue' | 'customer' | 'ticket';

export function invalidReference(field: string, message: string): DomainError {
  return new DomainError('invalid-reference', `${field}: ${message}.`, [{ field, message }]);
}

/**
 * A body that names a row of another tenant (or none) gets 400 'invalid-reference': the caller
 * learns nothing about foreign rows, and nothing is changed.
 */
export function assertReference(db: Db, table: ReferencedTable, tenantId: string, id: string, field: string): void {
  // `table` is a closed union, never user input.
  const found = db.raw<{ id: string }>(`SELECT id FROM ${table} WHERE id = ? AND tenant_id = ?`, id, tenantId)[0];
  if (!found) throw invalidReference(field, `unknown ${table}`);
}

/** Every id of a list must be a row of this tenant; the first unknown one is reported with its index. */
export function assertReferences(db: Db, table: ReferencedTable, tenantId: string, ids: readonly string[], field: string): void {
  if (ids.length === 0) return;
  const placeholders = ids.map(() => '?').join(', ');
  const found = new Set(db.raw<{ id: string }>(
    `SELECT id FROM ${table} WHERE tenant_id = ? AND id IN (${placeholders})`, tenantId, ...ids,
  ).map((r) => r.id));
  const missing = ids.findIndex((id) => !found.has(id));
  if (missing >= 0) throw invalidReference(`${field}.${missing}`, `unknown ${table}`);
}

export function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function parseStringArray(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** A LIKE pattern matching `text` anywhere, with % and _ taken literally (use with ESCAPE '\'). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The keys whose values differ, for audit rows that must not copy personal data. */
export function changedKeys<T extends Record<string, unknown>>(before: T, patch: Partial<T>): string[] {
  return Object.keys(patch).filter((key) => JSON.stringify(before[key]) !== JSON.stringify(patch[key]));
}

import { randomInt } from 'node:crypto';

/** Letters and digits people read and type without confusion: no 0/O, 1/I/L. */
export const UNAMBIGUOUS_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A uniformly random code of `length` characters from the unambiguous alphabet (5 bits each). */
export function humanCode(length: number): string {
  let code = '';
  for (let i = 0; i < length; i += 1) code += UNAMBIGUOUS_ALPHABET[randomInt(UNAMBIGUOUS_ALPHABET.length)];
  return code;
}

/** What a person typed, as stored: upper case, without dashes or spaces; null when it cannot be a code. */
export function normalizeHumanCode(input: string, length: number): string | null {
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  if (code.length !== length) return null;
  for (const ch of code) if (!UNAMBIGUOUS_ALPHABET.includes(ch)) return null;
  return code;
}

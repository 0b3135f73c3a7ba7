import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { describeZodError } from '../../../branch-server/http/errors.ts';
import { localizeIssue } from '../../../renderer/shared/field-messages.ts';

/**
 * A refused form comes back with each field's check and bound, so a French or Arabic screen can say
 * "au moins 8 caractères" where the API says "must be at least 8 characters".
 */
const Form = z.object({
  password: z.string().min(8, 'must be at least 8 characters'),
  email: z.email(),
  queue_ids: z.array(z.string()).min(1, 'must list at least one queue'),
  code: z.string().regex(/^[a-z]+$/, 'letters only'),
  kind: z.enum(['kiosk', 'display']),
  name: z.string(),
  note: z.string().max(3),
});
const input = { password: 'short', email: 'nobody', queue_ids: [], code: 'A!', kind: 'tv', note: 'four' };

describe('field issues', () => {
  const { details } = describeZodError(Form.safeParse(input).error!, '(body)', input);
  const byField = Object.fromEntries(details.map((d) => [d.field, d]));

  it('carry the check that failed and its bound, and tell a missing field from a wrong one', () => {
    expect(byField['password']).toMatchObject({ code: 'too_small', minimum: 8, origin: 'string', message: 'must be at least 8 characters' });
    expect(byField['email']).toMatchObject({ code: 'invalid_format', format: 'email' });
    expect(byField['queue_ids']).toMatchObject({ code: 'too_small', minimum: 1, origin: 'array' });
    expect(byField['code']).toMatchObject({ code: 'invalid_format', format: 'regex', message: 'letters only' });
    expect(byField['kind']).toMatchObject({ code: 'invalid_value' });
    expect(byField['name']).toMatchObject({ code: 'required' });
    expect(byField['note']).toMatchObject({ code: 'too_big', maximum: 3, origin: 'string' });
  });

  it('are said in French and Arabic, a pattern keeping its own hint, and in English as the API words them', () => {
    const fr = Object.fromEntries(details.map((d) => [d.field, localizeIssue('fr', d)]));
    expect(fr).toEqual({
      password: 'au moins 8 caractères', email: 'adresse e-mail invalide', queue_ids: 'au moins 1 élément', code: 'letters only',
      kind: 'valeur non proposée', name: 'obligatoire', note: 'au plus 3 caractères',
    });
    expect(localizeIssue('ar', byField['name']!)).toBe('حقل إلزامي');
    expect(localizeIssue('ar', byField['password']!)).toBe('8 أحرف على الأقل');
    expect(details.map((d) => localizeIssue('en', d))).toEqual(details.map((d) => d.message));
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkTemplate, renderTemplate, SAMPLE_VALUES, TEMPLATE_VARIABLES, templateVariables } from '../../../branch-server/notifications/template.ts';

describe('notification templates', () => {
  it('lists the variables a text uses once each, in order of first use', () => {
    expect(templateVariables('{{ticket_number}} at {{ counter }}, ticket {{ticket_number}}')).toEqual(['ticket_number', 'counter']);
  });

  it('accepts a template that uses only the allowed variables', () => {
    expect(checkTemplate('Ticket {{ticket_number}} ({{queue_name}}): {{position}} ahead, ~{{eta_minutes}} min. {{tracking_url}}'))
      .toEqual({ unknown: [], malformed: false });
  });

  it('names every unknown variable', () => {
    expect(checkTemplate('Hello {{first_name}}, ticket {{ticket_number}} {{pin_code}}').unknown).toEqual(['first_name', 'pin_code']);
  });

  it('flags braces that do not form a placeholder', () => {
    expect(checkTemplate('Ticket {{ticket_number} now').malformed).toBe(true);
    expect(checkTemplate('Ticket ticket_number}} now').malformed).toBe(true);
    expect(checkTemplate('Ticket {ticket_number} now').malformed).toBe(false);
  });

  it('renders values, tolerating spaces inside the braces, and leaves unknown placeholders visible', () => {
    expect(renderTemplate('{{ ticket_number }} → {{counter}} {{nope}}', { ticket_number: 'B007', counter: 'Guichet 4' }))
      .toBe('B007 → Guichet 4 {{nope}}');
  });

  it('renders a missing value as empty and numbers as text', () => {
    expect(renderTemplate('[{{position}}][{{eta_minutes}}]', { position: 2 })).toBe('[2][]');
  });

  it('has a sample value for every allowed variable', () => {
    for (const name of TEMPLATE_VARIABLES) expect(SAMPLE_VALUES[name]).not.toBe('');
  });

  it('leaves text without placeholders unchanged', () => {
    fc.assert(fc.property(fc.string().filter((s) => !s.includes('{{')), (text) => {
      expect(renderTemplate(text, SAMPLE_VALUES)).toBe(text);
    }));
  });

  it('leaves no known placeholder behind once rendered with every value', () => {
    const names = fc.constantFrom(...TEMPLATE_VARIABLES);
    fc.assert(fc.property(fc.array(fc.tuple(fc.string({ maxLength: 5 }).filter((s) => !/[{}]/.test(s)), names)), (parts) => {
      const text = parts.map(([lit, name]) => `${lit}{{${name}}}`).join('');
      const out = renderTemplate(text, SAMPLE_VALUES);
      expect(templateVariables(out).filter((n) => (TEMPLATE_VARIABLES as readonly string[]).includes(n))).toEqual([]);
    }));
  });
});

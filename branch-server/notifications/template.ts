/**
 * Message templates: `{{variable}}` placeholders from a closed set. Pure (no I/O): validation when a
 * template is saved, rendering when a message is sent or previewed.
 */
import { TEMPLATE_VARIABLES, type TemplateVariable } from '../contract/notifications.contract.ts';

export { TEMPLATE_VARIABLES, type TemplateVariable };
export type TemplateValues = Readonly<Partial<Record<string, string | number>>>;

const KNOWN: ReadonlySet<string> = new Set(TEMPLATE_VARIABLES);
// `{{ name }}`: spaces inside the braces are tolerated, as in Django/Jinja templates.
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Values for previews: realistic enough to judge length and wording. */
export const SAMPLE_VALUES: Readonly<Record<TemplateVariable, string>> = {
  ticket_number: 'A012',
  queue_name: 'Retrait',
  service_name: 'Retrait',
  site_name: 'Agence Dakar Plateau',
  position: '3',
  eta_minutes: '12',
  counter: 'Guichet 2',
  tracking_url: 'https://branch.example/t/Xk3v9QpR2mT7wLbN',
  feedback_url: 'https://branch.example/t/Xk3v9QpR2mT7wLbN/feedback',
  appointment_time: '14:30',
};

/** The distinct variable names a text uses, in order of first use. */
export function templateVariables(text: string): string[] {
  const seen: string[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!seen.includes(name)) seen.push(name);
  }
  return seen;
}

export type TemplateProblems = Readonly<{ unknown: string[]; malformed: boolean }>;

/**
 * What is wrong with a text: variables outside the allowed set, and braces that do not form a
 * placeholder (`{{ticket_number}`, a lone `}}`), which would otherwise reach customers verbatim.
 */
export function checkTemplate(text: string): TemplateProblems {
  const unknown = templateVariables(text).filter((name) => !KNOWN.has(name));
  const rest = text.replace(PLACEHOLDER, '');
  return { unknown, malformed: rest.includes('{{') || rest.includes('}}') };
}

/** Replaces each known placeholder by its value ('' when missing). Unknown placeholders stay as written. */
export function renderTemplate(text: string, values: TemplateValues): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    if (!KNOWN.has(name)) return whole;
    const value = values[name];
    return value === undefined ? '' : String(value);
  });
}

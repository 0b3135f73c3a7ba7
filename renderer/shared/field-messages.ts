import type { Language } from './languages.ts';

/**
 * A refused field said in the reader's language. The API sends an English message with the check
 * that failed (`code`) and its bound (`minimum`, `maximum`, what was measured in `origin`) or
 * `format`; in French and Arabic the checks every form meets are worded here, anything else (and
 * English) keeps the API's words.
 */
export type FieldIssue = Readonly<{
  message: string;
  code?: string;
  minimum?: number;
  maximum?: number;
  origin?: string;
  format?: string;
}>;

type Words = Readonly<{
  required: string;
  atLeast: (n: number, unit: Unit) => string;
  atMost: (n: number, unit: Unit) => string;
  email: string;
  format: string;
  choice: string;
  type: string;
}>;
type Unit = 'characters' | 'items' | 'value';

const unitOf = (origin: string | undefined): Unit => (origin === 'string' ? 'characters' : origin === 'array' || origin === 'set' ? 'items' : 'value');

const WORDS: Readonly<Record<Exclude<Language, 'en'>, Words>> = {
  fr: {
    required: 'obligatoire',
    atLeast: (n, unit) => (unit === 'characters' ? `au moins ${n} caractère${n > 1 ? 's' : ''}` : unit === 'items' ? `au moins ${n} élément${n > 1 ? 's' : ''}` : `au moins ${n}`),
    atMost: (n, unit) => (unit === 'characters' ? `au plus ${n} caractère${n > 1 ? 's' : ''}` : unit === 'items' ? `au plus ${n} élément${n > 1 ? 's' : ''}` : `au plus ${n}`),
    email: 'adresse e-mail invalide',
    format: 'format invalide',
    choice: 'valeur non proposée',
    type: 'valeur invalide',
  },
  ar: {
    required: 'حقل إلزامي',
    atLeast: (n, unit) => (unit === 'characters' ? `${n} أحرف على الأقل` : unit === 'items' ? `${n} عناصر على الأقل` : `${n} على الأقل`),
    atMost: (n, unit) => (unit === 'characters' ? `${n} أحرف على الأكثر` : unit === 'items' ? `${n} عناصر على الأكثر` : `${n} على الأكثر`),
    email: 'عنوان بريد إلكتروني غير صالح',
    format: 'صيغة غير صالحة',
    choice: 'قيمة غير مسموح بها',
    type: 'قيمة غير صالحة',
  },
};

export function localizeIssue(lang: Language, issue: FieldIssue): string {
  // The API speaks English, some of it worded for the field ("must list at least one queue").
  if (lang === 'en') return issue.message;
  const words = WORDS[lang as Exclude<Language, 'en'>];
  switch (issue.code) {
    case 'required':
      return words.required;
    case 'too_small':
      return typeof issue.minimum === 'number' && Number.isFinite(issue.minimum) ? words.atLeast(issue.minimum, unitOf(issue.origin)) : issue.message;
    case 'too_big':
      return typeof issue.maximum === 'number' && Number.isFinite(issue.maximum) ? words.atMost(issue.maximum, unitOf(issue.origin)) : issue.message;
    case 'invalid_format':
      // A pattern's message is the contract's own hint ("letters, digits, - and _ only"): kept.
      return issue.format === 'regex' ? issue.message : issue.format === 'email' ? words.email : words.format;
    case 'invalid_value':
      return words.choice;
    case 'invalid_type':
      return words.type;
    default:
      return issue.message;
  }
}

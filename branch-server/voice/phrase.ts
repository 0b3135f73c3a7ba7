/**
 * What a spoken call says, as a list of clip names and pauses: "Ticket A 0 2 3, guichet 4". Pure;
 * the same list is spoken in each language with that language's clips. Ticket numbers are spelled
 * character by character (as branches announce them); a counter number up to `MAX_WHOLE_NUMBER` is
 * said as one number ("guichet douze"), a larger one digit by digit.
 */

export const VOICE_LANGUAGES = ['fr', 'en', 'ar'] as const;
export type VoiceLanguage = (typeof VOICE_LANGUAGES)[number];

export const MAX_WHOLE_NUMBER = 20;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

export type ClipName = string & { readonly __brand: 'ClipName' };
export type PhrasePart = ClipName | Readonly<{ pauseMs: number }>;

const clip = (name: string) => name as ClipName;
export const WORD_TICKET = clip('word-ticket');
export const WORD_COUNTER = clip('word-counter');
export const CHIME = clip('chime');

/** Every clip a language needs: digits, letters, the two words, and numbers 10–MAX_WHOLE_NUMBER. */
export function requiredClips(): ClipName[] {
  const names: ClipName[] = [WORD_TICKET, WORD_COUNTER];
  for (let d = 0; d <= 9; d++) names.push(clip(`digit-${d}`));
  for (const letter of LETTERS) names.push(clip(`letter-${letter}`));
  for (let n = 10; n <= MAX_WHOLE_NUMBER; n++) names.push(clip(`number-${n}`));
  return names;
}

/** Pauses, tuned by ear: characters of a number stay distinct; the comma before the counter is heard. */
export const PAUSE = {
  afterWord: 160,
  betweenCharacters: 90,
  beforeCounter: 420,
  afterChime: 250,
  betweenLanguages: 700,
} as const;

/** Clip of one character of a ticket number or counter, or null for anything else (a dash, a space). */
function characterClip(ch: string): ClipName | null {
  const lower = ch.toLowerCase();
  if (lower >= '0' && lower <= '9' && lower.length === 1) return clip(`digit-${lower}`);
  if (lower.length === 1 && LETTERS.includes(lower)) return clip(`letter-${lower}`);
  return null;
}

/** "A023" → ticket A 0 2 3. */
export function spellTicketNumber(number: string): ClipName[] {
  return [...number].map(characterClip).filter((c): c is ClipName => c !== null);
}

/**
 * The counter's spoken identifier, taken from the end of its label: "Guichet 4" → 4, "Counter 12" →
 * 12, "Caisse B" → B. A label without one ("Accueil") has nothing to say, and the call names no counter.
 */
export function counterClips(label: string): ClipName[] {
  const match = /(?:^|[^A-Za-z0-9])([0-9]{1,4}|[A-Za-z])\s*$/.exec(label.trim());
  const id = match?.[1];
  if (!id) return [];
  if (/^[0-9]+$/.test(id)) {
    const n = Number(id);
    if (n <= 9 && id.length === 1) return [clip(`digit-${n}`)];
    if (n >= 10 && n <= MAX_WHOLE_NUMBER && !id.startsWith('0')) return [clip(`number-${n}`)];
    return spellTicketNumber(id);
  }
  return spellTicketNumber(id);
}

/** One language's sentence: ticket, the spelled number, then (if the label names one) counter and its number. */
export function callPhrase(number: string, counterLabel: string): PhrasePart[] {
  const parts: PhrasePart[] = [WORD_TICKET, { pauseMs: PAUSE.afterWord }];
  spellTicketNumber(number).forEach((c, i) => {
    if (i > 0) parts.push({ pauseMs: PAUSE.betweenCharacters });
    parts.push(c);
  });
  const counter = counterClips(counterLabel);
  if (counter.length > 0) {
    parts.push({ pauseMs: PAUSE.beforeCounter }, WORD_COUNTER, { pauseMs: PAUSE.afterWord });
    counter.forEach((c, i) => {
      if (i > 0) parts.push({ pauseMs: PAUSE.betweenCharacters });
      parts.push(c);
    });
  }
  return parts;
}

/** The whole announcement: the chime, then the sentence in each language in order. */
export type AnnouncementPlan = ReadonlyArray<Readonly<{ language: VoiceLanguage | null; part: PhrasePart }>>;

export function announcementPlan(number: string, counterLabel: string, languages: readonly VoiceLanguage[], chime: boolean): AnnouncementPlan {
  const plan: { language: VoiceLanguage | null; part: PhrasePart }[] = [];
  if (chime) plan.push({ language: null, part: CHIME }, { language: null, part: { pauseMs: PAUSE.afterChime } });
  const sentence = callPhrase(number, counterLabel);
  languages.forEach((language, i) => {
    if (i > 0) plan.push({ language: null, part: { pauseMs: PAUSE.betweenLanguages } });
    for (const part of sentence) plan.push({ language, part });
  });
  return plan;
}

export function isVoiceLanguage(value: string): value is VoiceLanguage {
  return (VOICE_LANGUAGES as readonly string[]).includes(value);
}

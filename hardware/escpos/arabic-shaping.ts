/**
 * PURE: enough Arabic text layout for printed ticket lines, without a shaping engine.
 *
 * Shaping: each letter takes its contextual form (isolated, final, initial, medial) from Unicode's
 * Arabic Presentation Forms-B (U+FE70–U+FEFF), which common fonts (DejaVu Sans, Arial…) map to
 * glyphs; lam + alef become their mandatory ligature. Harakat (short-vowel marks) are dropped: they
 * would need mark positioning, and ticket labels do not use them.
 *
 * Order: a simplified bidirectional algorithm for one right-to-left paragraph — runs of Latin
 * letters and digits keep their order, everything else reads right to left, neutrals between two
 * left-to-right runs stay with them. That covers labels such as "الانتظار المتوقع: ~12 min".
 */

type Joining = 'R' | 'D';

/** Base letter → [joining type, isolated form]; the other forms follow the isolated one (final, initial, medial). */
const LETTERS: ReadonlyMap<number, readonly [Joining, number]> = new Map([
  [0x0622, ['R', 0xfe81]], [0x0623, ['R', 0xfe83]], [0x0624, ['R', 0xfe85]], [0x0625, ['R', 0xfe87]],
  [0x0626, ['D', 0xfe89]], [0x0627, ['R', 0xfe8d]], [0x0628, ['D', 0xfe8f]], [0x0629, ['R', 0xfe93]],
  [0x062a, ['D', 0xfe95]], [0x062b, ['D', 0xfe99]], [0x062c, ['D', 0xfe9d]], [0x062d, ['D', 0xfea1]],
  [0x062e, ['D', 0xfea5]], [0x062f, ['R', 0xfea9]], [0x0630, ['R', 0xfeab]], [0x0631, ['R', 0xfead]],
  [0x0632, ['R', 0xfeaf]], [0x0633, ['D', 0xfeb1]], [0x0634, ['D', 0xfeb5]], [0x0635, ['D', 0xfeb9]],
  [0x0636, ['D', 0xfebd]], [0x0637, ['D', 0xfec1]], [0x0638, ['D', 0xfec5]], [0x0639, ['D', 0xfec9]],
  [0x063a, ['D', 0xfecd]], [0x0641, ['D', 0xfed1]], [0x0642, ['D', 0xfed5]], [0x0643, ['D', 0xfed9]],
  [0x0644, ['D', 0xfedd]], [0x0645, ['D', 0xfee1]], [0x0646, ['D', 0xfee5]], [0x0647, ['D', 0xfee9]],
  [0x0648, ['R', 0xfeed]], [0x0649, ['R', 0xfeef]], [0x064a, ['D', 0xfef1]],
]);
const HAMZA = 0x0621;
const TATWEEL = 0x0640;
const LAM = 0x0644;
/** Alef variants → the isolated lam-alef ligature (its final form is the next code point). */
const LAM_ALEF: ReadonlyMap<number, number> = new Map([[0x0622, 0xfef5], [0x0623, 0xfef7], [0x0625, 0xfef9], [0x0627, 0xfefb]]);

const FORM_OFFSET = { isolated: 0, final: 1, initial: 2, medial: 3 } as const;

/** Harakat, superscript alef and other marks that neither join nor print here. */
function isMark(cp: number): boolean {
  return (cp >= 0x064b && cp <= 0x065f) || cp === 0x0670 || (cp >= 0x06d6 && cp <= 0x06ed);
}

export function isArabic(cp: number): boolean {
  return (cp >= 0x0600 && cp <= 0x06ff) || (cp >= 0x0750 && cp <= 0x077f) || (cp >= 0xfb50 && cp <= 0xfdff) || (cp >= 0xfe70 && cp <= 0xfeff);
}

export function hasArabic(text: string): boolean {
  for (const ch of text) if (isArabic(ch.codePointAt(0)!)) return true;
  return false;
}

/** Can this letter connect to the letter after it (in reading order)? */
const joinsNext = (cp: number | undefined) => cp !== undefined && (cp === TATWEEL || LETTERS.get(cp)?.[0] === 'D');
/** Can this letter connect to the letter before it? */
const joinsPrevious = (cp: number | undefined) => cp !== undefined && (cp === TATWEEL || LETTERS.has(cp));

/** Logical order in, logical order out: each letter replaced by its contextual presentation form. */
export function shapeArabic(text: string): string {
  const cps = [...text].map((ch) => ch.codePointAt(0)!).filter((cp) => !isMark(cp));
  const out: number[] = [];
  for (let i = 0; i < cps.length; i += 1) {
    const cp = cps[i]!;
    const previous = cps[i - 1];
    const ligature = cp === LAM ? LAM_ALEF.get(cps[i + 1] ?? -1) : undefined;
    if (ligature !== undefined) {
      out.push(ligature + (joinsNext(previous) ? 1 : 0));
      i += 1;
      continue;
    }
    const letter = LETTERS.get(cp);
    if (!letter || cp === HAMZA) {
      out.push(cp);
      continue;
    }
    const afterPrevious = joinsNext(previous);
    const beforeNext = letter[0] === 'D' && joinsPrevious(cps[i + 1]);
    const form = afterPrevious ? (beforeNext ? 'medial' : 'final') : beforeNext ? 'initial' : 'isolated';
    out.push(letter[1] + FORM_OFFSET[form]);
  }
  return String.fromCodePoint(...out);
}

type Direction = 'L' | 'R' | 'N';

function directionOf(ch: string): Direction {
  const cp = ch.codePointAt(0)!;
  if (isArabic(cp) && !(cp >= 0x0660 && cp <= 0x0669)) return 'R';
  if (/[\p{L}\p{Nd}]/u.test(ch)) return 'L';
  return 'N';
}

/** Brackets swap in right-to-left runs, as the mirrored glyphs of the bidi algorithm would. */
const MIRROR: Readonly<Record<string, string>> = { '(': ')', ')': '(', '[': ']', ']': '[', '<': '>', '>': '<', '«': '»', '»': '«' };

/**
 * One right-to-left paragraph (logical order) to the left-to-right order of display: left-to-right
 * runs keep their order inside, the runs are laid out from the right.
 */
export function visualOrderRtl(text: string): string {
  const chars = [...text];
  const dirs = chars.map(directionOf);
  // A neutral between two left-to-right characters belongs to their run ("~12 min", "A-001").
  for (let i = 0; i < chars.length; i += 1) {
    if (dirs[i] !== 'N') continue;
    let before = i - 1;
    while (before >= 0 && dirs[before] === 'N') before -= 1;
    let after = i + 1;
    while (after < chars.length && dirs[after] === 'N') after += 1;
    dirs[i] = before >= 0 && after < chars.length && dirs[before] === 'L' && dirs[after] === 'L' ? 'L' : 'R';
  }
  const runs: Array<{ ltr: boolean; chars: string[] }> = [];
  chars.forEach((ch, i) => {
    const ltr = dirs[i] === 'L';
    const last = runs.at(-1);
    if (last && last.ltr === ltr) last.chars.push(ch);
    else runs.push({ ltr, chars: [ch] });
  });
  return runs.reverse().map((run) => (run.ltr ? run.chars.join('') : run.chars.reverse().map((ch) => MIRROR[ch] ?? ch).join(''))).join('');
}

/** What a printer must draw for an Arabic line, left to right: shaped, then in display order. */
export function arabicForDisplay(text: string): string {
  return visualOrderRtl(shapeArabic(text));
}

/**
 * Generates the default spoken-call clips committed under `branch-server/assets/voice/`:
 * per language (fr, en, ar) the digits, the letters A–Z, the numbers 10–20 and the words "ticket"
 * and "counter", plus a language-independent chime.
 *
 *   npm run voice:generate        (node --import tsx scripts/generate-voice-clips.ts)
 *
 * **Important (licence)**: the voices come from the npm `espeak-ng` package (eSpeak NG compiled to
 * WebAssembly, GPL-3.0-or-later). It is a devDependency used here, at build time, only: the branch
 * server never loads it; it concatenates the WAV files this script writes (branch-server/voice/).
 * The chime is synthesised below with plain arithmetic.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { MAX_WHOLE_NUMBER, type VoiceLanguage } from '../branch-server/voice/phrase.ts';
import { encodeWav, parseWav, type PcmFormat } from '../branch-server/voice/wav.ts';

const OUT_DIR = resolve(import.meta.dirname, '../branch-server/assets/voice');
/** eSpeak NG's native rate: kept, so no resampling step can colour the voice. */
const FORMAT: PcmFormat = { sampleRate: 22_050, channels: 1, bitsPerSample: 16 };
/** Words per minute: a little slower than eSpeak's default 175, for a hall with echo. */
const SPEED = 145;

type Voice = Readonly<{ voice: string; words: Readonly<{ ticket: string; counter: string }> }>;

const VOICES: Readonly<Record<VoiceLanguage, Voice>> = {
  fr: { voice: 'fr', words: { ticket: 'Ticket', counter: 'guichet' } },
  en: { voice: 'en', words: { ticket: 'Ticket', counter: 'counter' } },
  // "الشباك رقم" (counter number …): how Arabic announcements name a counter. Latin ticket letters
  // are read with their usual (English) names, which is how they are said aloud in Arabic too.
  ar: { voice: 'ar', words: { ticket: 'تذكرة', counter: 'الشباك رقم' } },
};

type ESpeakModule = { FS: { readFile(path: string): Uint8Array } };
// Node has WebAssembly; the repository's TypeScript lib (ES2023, no DOM) does not declare it.
type WasmModule = object;
type WasmInstance = object;
const Wasm = (globalThis as unknown as {
  WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule>; instantiate(module: WasmModule, imports: object): Promise<WasmInstance> };
}).WebAssembly;
type ESpeakFactory = (options: Record<string, unknown>) => Promise<ESpeakModule>;

const require = createRequire(import.meta.url);
const distDir = join(require.resolve('espeak-ng/package.json'), '..', 'dist');
const { default: ESpeakNg } = (await import(join(distDir, 'espeak-ng.js'))) as { default: ESpeakFactory };
// Compiled once: each clip then only instantiates it (about 0.3 s instead of 1 s).
const wasm = await Wasm.compile(readFileSync(join(distDir, 'espeak-ng.wasm')));

async function synthesise(voice: string, text: string): Promise<Uint8Array> {
  const errors: string[] = [];
  const espeak = await ESpeakNg({
    arguments: ['-v', voice, '-s', String(SPEED), '-w', '/clip.wav', text],
    print: () => undefined,
    printErr: (line: string) => errors.push(line),
    instantiateWasm: (imports: object, done: (instance: WasmInstance, module: WasmModule) => void) => {
      void Wasm.instantiate(wasm, imports).then((instance) => done(instance, wasm));
      return {};
    },
  });
  try {
    return espeak.FS.readFile('/clip.wav');
  } catch {
    throw new Error(`espeak-ng wrote nothing for ${voice} "${text}": ${errors.join(' ')}`);
  }
}

/**
 * Trims the silence eSpeak leaves around a word, fades the edges (no clicks where clips meet) and
 * brings every clip to the same peak, so digits and words sound equally loud once joined.
 */
function polish(samples: Int16Array): Int16Array {
  const threshold = 400;
  let start = samples.findIndex((s) => Math.abs(s) > threshold);
  let end = samples.length - 1;
  while (end > 0 && Math.abs(samples[end]!) <= threshold) end--;
  if (start < 0) return new Int16Array(0);
  const pad = Math.round(FORMAT.sampleRate * 0.015);
  start = Math.max(0, start - pad);
  end = Math.min(samples.length - 1, end + pad);
  const out = Float64Array.from(samples.subarray(start, end + 1));
  const peak = out.reduce((m, s) => Math.max(m, Math.abs(s)), 1);
  const gain = (0.8 * 32767) / peak;
  const fade = Math.min(Math.round(FORMAT.sampleRate * 0.008), Math.floor(out.length / 2));
  return Int16Array.from(out, (s, i) => {
    const edge = Math.min(1, i / fade, (out.length - 1 - i) / fade);
    return Math.round(s * gain * Math.max(0, edge));
  });
}

function toWav(samples: Int16Array): Uint8Array {
  return encodeWav(FORMAT, new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
}

async function clip(voice: string, text: string): Promise<Uint8Array> {
  const wav = parseWav(await synthesise(voice, text));
  if (wav.format.sampleRate !== FORMAT.sampleRate || wav.format.channels !== 1 || wav.format.bitsPerSample !== 16) {
    throw new Error(`espeak-ng answered an unexpected format for "${text}"`);
  }
  const samples = new Int16Array(wav.data.slice().buffer);
  return toWav(polish(samples));
}

/**
 * A two-tone "ding-dong" (E5 then C5, a major third down), each tone a few harmonics under an
 * exponential decay, like a hall chime. Plain arithmetic: no sample, no licence to carry.
 */
export function chime(): Uint8Array {
  const rate = FORMAT.sampleRate;
  const notes = [
    { hz: 659.25, start: 0, length: 0.9 },
    { hz: 523.25, start: 0.42, length: 1.3 },
  ];
  const total = Math.ceil(rate * 1.75);
  const mix = new Float64Array(total);
  for (const note of notes) {
    const from = Math.round(note.start * rate);
    const count = Math.min(total - from, Math.round(note.length * rate));
    for (let i = 0; i < count; i++) {
      const t = i / rate;
      const attack = Math.min(1, t / 0.006);
      const decay = Math.exp(-t * 3.2);
      const tone = Math.sin(2 * Math.PI * note.hz * t)
        + 0.35 * Math.sin(2 * Math.PI * note.hz * 2 * t) * Math.exp(-t * 4)
        + 0.12 * Math.sin(2 * Math.PI * note.hz * 3 * t) * Math.exp(-t * 6);
      mix[from + i]! += tone * attack * decay;
    }
  }
  const peak = mix.reduce((m, s) => Math.max(m, Math.abs(s)), 1e-9);
  const fadeOut = Math.round(rate * 0.05);
  return toWav(Int16Array.from(mix, (s, i) => Math.round((s / peak) * 0.7 * 32767 * Math.min(1, (total - 1 - i) / fadeOut))));
}

function clipTexts(words: Voice['words']): [string, string][] {
  const texts: [string, string][] = [['word-ticket', words.ticket], ['word-counter', words.counter]];
  for (let d = 0; d <= 9; d++) texts.push([`digit-${d}`, String(d)]);
  for (const letter of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') texts.push([`letter-${letter.toLowerCase()}`, letter]);
  for (let n = 10; n <= MAX_WHOLE_NUMBER; n++) texts.push([`number-${n}`, String(n)]);
  return texts;
}

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(join(OUT_DIR, 'chime.wav'), chime());
  let count = 1;
  for (const [language, { voice, words }] of Object.entries(VOICES)) {
    const dir = join(OUT_DIR, language);
    mkdirSync(dir, { recursive: true });
    const jobs = clipTexts(words);
    // A few at a time: each instance holds its own 32 MB heap.
    for (let i = 0; i < jobs.length; i += 4) {
      await Promise.all(jobs.slice(i, i + 4).map(async ([name, text]) => {
        writeFileSync(join(dir, `${name}.wav`), await clip(voice, text));
      }));
    }
    count += jobs.length;
    console.log(`${language}: ${jobs.length} clips`);
  }
  console.log(`${count} clips in ${OUT_DIR} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

await main();

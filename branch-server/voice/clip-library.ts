import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_ROOT } from '../app-root.ts';
import { CHIME, requiredClips, VOICE_LANGUAGES, type ClipName, type VoiceLanguage } from './phrase.ts';
import { parseWav, sameFormat, type PcmFormat, type Wav } from './wav.ts';

/** The default clips, generated at build time by `npm run voice:generate` (see its README). */
export const DEFAULT_VOICE_DIR = join(APP_ROOT, 'branch-server/assets/voice');

/**
 * The recorded clips of every language, read from disk once, on first use: `<dir>/chime.wav` and
 * `<dir>/<lang>/<clip>.wav`. Every clip must share the chime's format, so calls are joined sample for
 * sample; a missing or mismatched clip is an installation error, reported with the file's name.
 */
export class ClipLibrary {
  readonly #dir: string;
  readonly #languages = new Map<VoiceLanguage, ReadonlyMap<ClipName, Wav>>();
  #chime: Wav | null = null;

  constructor(dir: string = DEFAULT_VOICE_DIR) {
    this.#dir = dir;
  }

  get format(): PcmFormat {
    return this.chime().format;
  }

  chime(): Wav {
    this.#chime ??= this.#read(join(this.#dir, 'chime.wav'), null);
    return this.#chime;
  }

  clip(language: VoiceLanguage, name: ClipName): Wav {
    if (name === CHIME) return this.chime();
    const found = this.#language(language).get(name);
    if (!found) throw new Error(`No voice clip "${name}" for ${language}.`);
    return found;
  }

  #language(language: VoiceLanguage): ReadonlyMap<ClipName, Wav> {
    let clips = this.#languages.get(language);
    if (!clips) {
      if (!VOICE_LANGUAGES.includes(language)) throw new Error(`No voice for language ${language}.`);
      const format = this.format;
      clips = new Map(requiredClips().map((name) => [name, this.#read(join(this.#dir, language, `${name}.wav`), format)]));
      this.#languages.set(language, clips);
    }
    return clips;
  }

  #read(file: string, format: PcmFormat | null): Wav {
    let wav: Wav;
    try {
      wav = parseWav(readFileSync(file));
    } catch (error) {
      throw new Error(`Voice clip ${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (format && !sameFormat(wav.format, format)) throw new Error(`Voice clip ${file} is not in the chime's format.`);
    return wav;
  }
}

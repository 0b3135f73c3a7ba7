import { ClipLibrary } from './clip-library.ts';
import { LruCache } from './lru.ts';
import { announcementPlan, type VoiceLanguage } from './phrase.ts';
import { joinSegments, type Segment } from './wav.ts';

export type AnnouncementRequest = Readonly<{
  /** The ticket number as displayed ("A023"). */
  number: string;
  /** The counter label ("Guichet 4"); its trailing number or letter is spoken. */
  counter: string;
  languages: readonly VoiceLanguage[];
  chime: boolean;
}>;

/**
 * Builds the WAV of a spoken call (chime, then the sentence in each language) by joining recorded
 * clips, and keeps the most recent ones: a recall, or a second display asking for the same call,
 * costs a map lookup. Keyed by what is said, not by ticket: two tickets with the same number and
 * counter share one entry.
 */
export class Announcer {
  readonly #library: ClipLibrary;
  readonly #cache: LruCache<Uint8Array>;

  constructor(library: ClipLibrary = new ClipLibrary(), options: Readonly<{ maxEntries?: number; maxBytes?: number }> = {}) {
    this.#library = library;
    this.#cache = new LruCache<Uint8Array>({
      maxEntries: options.maxEntries ?? 200,
      maxSize: options.maxBytes ?? 32 * 1024 * 1024,
      sizeOf: (wav) => wav.byteLength,
    });
  }

  get cachedCount(): number {
    return this.#cache.size;
  }

  announce(request: AnnouncementRequest): Uint8Array {
    const plan = announcementPlan(request.number, request.counter, request.languages, request.chime);
    const key = JSON.stringify(plan);
    const cached = this.#cache.get(key);
    if (cached) return cached;
    const segments: Segment[] = plan.map(({ language, part }) => {
      if (typeof part !== 'string') return { silenceMs: part.pauseMs };
      return language === null ? this.#library.chime() : this.#library.clip(language, part);
    });
    const wav = joinSegments(segments);
    this.#cache.set(key, wav);
    return wav;
  }
}

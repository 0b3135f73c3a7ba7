import type { Call } from './display-model.ts';

export type SpeechLine = Readonly<{ lang: string; text: string }>;

export type AnnouncerOptions = Readonly<{
  /** The announcement WAV of a call (chime + every language), or null when the display is silent. */
  audioUrl: (call: Call) => string | null;
  /** Web Speech fallback, one line per language, when the WAV cannot play. */
  speech: (call: Call) => SpeechLine[];
  onStart: (call: Call) => void;
  /** The call was shown, and `played` says whether it was heard (audio or speech). */
  onDone: (call: Call, played: boolean) => void;
  /** The browser refused to play without a user gesture (true), or played again (false). */
  onBlocked: (blocked: boolean) => void;
  /** How long a call stays "now calling" at least, when it is not spoken. */
  silentShowMs?: number;
  /** Breath between two calls. */
  gapMs?: number;
}>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Announces calls one at a time, in arrival order: a call that arrives while another is being
 * spoken waits its turn (never skipped, never swapped, never talked over). Each call is
 * acknowledged through `onDone` once shown and played.
 */
export class CallAnnouncer {
  readonly #options: AnnouncerOptions;
  readonly #queue: Call[] = [];
  #running = false;
  #disposed = false;
  #audio: HTMLAudioElement | null = null;

  constructor(options: AnnouncerOptions) {
    this.#options = options;
  }

  enqueue(call: Call): void {
    if (this.#disposed) return;
    this.#queue.push(call);
    if (!this.#running) void this.#drain();
  }

  get pending(): number {
    return this.#queue.length;
  }

  dispose(): void {
    this.#disposed = true;
    this.#queue.length = 0;
    this.#audio?.pause();
    if (typeof speechSynthesis !== 'undefined') speechSynthesis.cancel();
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      for (let call = this.#queue.shift(); call && !this.#disposed; call = this.#queue.shift()) {
        this.#options.onStart(call);
        const url = this.#options.audioUrl(call);
        let played = false;
        if (url) {
          played = await this.#playAudio(url);
          if (!played && !this.#disposed) played = await this.#speak(this.#options.speech(call));
        } else {
          await sleep(this.#options.silentShowMs ?? 4000);
        }
        if (this.#disposed) return;
        this.#options.onDone(call, played);
        if (this.#queue.length > 0) await sleep(this.#options.gapMs ?? 500);
      }
    } finally {
      this.#running = false;
    }
  }

  /** Resolves true once the WAV played to its end; false when it cannot load or play. */
  #playAudio(url: string): Promise<boolean> {
    const audio = new Audio();
    this.#audio = audio;
    audio.preload = 'auto';
    audio.src = url;
    return new Promise<boolean>((resolve) => {
      let settled = false;
      let timer: ReturnType<typeof setTimeout>;
      const finish = (ok: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        audio.onended = null;
        audio.onerror = null;
        audio.onloadedmetadata = null;
        if (!ok) audio.pause();
        resolve(ok);
      };
      // A stalled stream must not freeze the queue: a bound, tightened once the length is known.
      timer = setTimeout(() => finish(false), 30_000);
      audio.onloadedmetadata = () => {
        if (!Number.isFinite(audio.duration)) return;
        clearTimeout(timer);
        timer = setTimeout(() => finish(true), audio.duration * 1000 + 3000);
      };
      audio.onended = () => finish(true);
      audio.onerror = () => finish(false);
      audio.play().then(
        () => this.#options.onBlocked(false),
        (error: unknown) => {
          if (error instanceof DOMException && error.name === 'NotAllowedError') this.#options.onBlocked(true);
          finish(false);
        },
      );
    });
  }

  /** The fallback: the system's voices, if it has any. True if at least one line was spoken. */
  async #speak(lines: readonly SpeechLine[]): Promise<boolean> {
    if (typeof speechSynthesis === 'undefined' || typeof SpeechSynthesisUtterance === 'undefined') return false;
    let spoken = false;
    for (const line of lines) {
      if (this.#disposed) return spoken;
      spoken = (await speakLine(line)) || spoken;
    }
    return spoken;
  }
}

function speakLine(line: SpeechLine): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const utterance = new SpeechSynthesisUtterance(line.text);
    utterance.lang = line.lang;
    utterance.rate = 0.9;
    const timer = setTimeout(() => {
      speechSynthesis.cancel();
      resolve(false);
    }, 3000 + line.text.length * 150);
    utterance.onend = () => {
      clearTimeout(timer);
      resolve(true);
    };
    utterance.onerror = () => {
      clearTimeout(timer);
      resolve(false);
    };
    speechSynthesis.speak(utterance);
  });
}

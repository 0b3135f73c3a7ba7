import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Announcer } from '../../../branch-server/voice/announcer.ts';
import { ClipLibrary, DEFAULT_VOICE_DIR } from '../../../branch-server/voice/clip-library.ts';
import { LruCache } from '../../../branch-server/voice/lru.ts';
import { announcementPlan, callPhrase, counterClips, PAUSE, requiredClips, spellTicketNumber, VOICE_LANGUAGES } from '../../../branch-server/voice/phrase.ts';
import { durationMs, parseWav } from '../../../branch-server/voice/wav.ts';

const names = (parts: readonly unknown[]) => parts.filter((p): p is string => typeof p === 'string');

describe('what a call says', () => {
  it('spells the ticket number character by character and names the counter by its number', () => {
    expect(names(callPhrase('A023', 'Guichet 4'))).toEqual(['word-ticket', 'letter-a', 'digit-0', 'digit-2', 'digit-3', 'word-counter', 'digit-4']);
  });

  it('says counters up to 20 as one number, larger ones digit by digit, and a lettered counter by its letter', () => {
    expect(counterClips('Guichet 12')).toEqual(['number-12']);
    expect(counterClips('Counter 20')).toEqual(['number-20']);
    expect(counterClips('Box 21')).toEqual(['digit-2', 'digit-1']);
    expect(counterClips('Caisse B')).toEqual(['letter-b']);
    expect(counterClips('07')).toEqual(['digit-0', 'digit-7']);
  });

  it('names no counter when its label carries no number or letter', () => {
    expect(names(callPhrase('B7', 'Accueil'))).toEqual(['word-ticket', 'letter-b', 'digit-7']);
    expect(names(callPhrase('B7', ''))).toEqual(['word-ticket', 'letter-b', 'digit-7']);
  });

  it('ignores characters it cannot say in a number', () => {
    expect(spellTicketNumber('a-0 1')).toEqual(['letter-a', 'digit-0', 'digit-1']);
  });

  it('plays the chime once, then the sentence in each language in the order given', () => {
    const plan = announcementPlan('A1', 'Guichet 2', ['ar', 'fr'], true);
    expect(plan[0]).toEqual({ language: null, part: 'chime' });
    const spoken = plan.filter((p) => typeof p.part === 'string' && p.language !== null);
    expect(spoken.map((p) => p.language)).toEqual(['ar', 'ar', 'ar', 'ar', 'ar', 'fr', 'fr', 'fr', 'fr', 'fr']);
    expect(plan).toContainEqual({ language: null, part: { pauseMs: PAUSE.betweenLanguages } });
    expect(announcementPlan('A1', '', ['fr'], false)[0]).toEqual({ language: 'fr', part: 'word-ticket' });
  });
});

describe('the default clips', () => {
  it('has every clip a sentence needs, in fr, en and ar, all in the chime format', () => {
    const library = new ClipLibrary();
    expect(library.format).toEqual({ sampleRate: 22_050, channels: 1, bitsPerSample: 16 });
    for (const language of VOICE_LANGUAGES) {
      const files = readdirSync(join(DEFAULT_VOICE_DIR, language)).map((f) => f.replace(/\.wav$/, '')).sort();
      expect(files, language).toEqual([...requiredClips()].sort());
      for (const name of requiredClips()) {
        const clip = library.clip(language, name);
        expect(durationMs(clip), `${language}/${name}`).toBeGreaterThan(120);
        expect(durationMs(clip), `${language}/${name}`).toBeLessThan(2000);
      }
    }
  });
});

describe('announcements', () => {
  it('builds one WAV: chime, then each language, as long as its clips and pauses', () => {
    const library = new ClipLibrary();
    const announcer = new Announcer(library);
    const wav = parseWav(announcer.announce({ number: 'A023', counter: 'Guichet 4', languages: ['fr', 'en'], chime: true }));
    const plan = announcementPlan('A023', 'Guichet 4', ['fr', 'en'], true);
    const expected = plan.reduce((sum, { language, part }) => sum + (typeof part === 'string'
      ? durationMs(language === null ? library.chime() : library.clip(language, part))
      : part.pauseMs), 0);
    expect(wav.format).toEqual(library.format);
    expect(durationMs(wav)).toBeCloseTo(expected, -1);
  });

  it('serves a repeated phrase from its cache (the same bytes) and builds a different one anew', () => {
    const announcer = new Announcer();
    const first = announcer.announce({ number: 'B011', counter: 'Guichet 1', languages: ['ar'], chime: true });
    const again = announcer.announce({ number: 'B011', counter: 'Guichet 1', languages: ['ar'], chime: true });
    expect(again).toBe(first);
    const other = announcer.announce({ number: 'B011', counter: 'Guichet 2', languages: ['ar'], chime: true });
    expect(other).not.toBe(first);
    expect(announcer.cachedCount).toBe(2);
  });
});

describe('LRU cache', () => {
  it('evicts the least recently used entry first, by count and by size', () => {
    const cache = new LruCache<string>({ maxEntries: 2 });
    cache.set('a', 'A');
    cache.set('b', 'B');
    cache.get('a');
    cache.set('c', 'C');
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual(['A', undefined, 'C']);

    const sized = new LruCache<string>({ maxEntries: 10, maxSize: 5, sizeOf: (v) => v.length });
    sized.set('x', 'xxx');
    sized.set('y', 'yy');
    sized.set('z', 'zz');
    expect([sized.get('x'), sized.get('y'), sized.get('z'), sized.bytes]).toEqual([undefined, 'yy', 'zz', 4]);
    sized.set('huge', 'hhhhhhh');
    expect(sized.get('huge')).toBeUndefined();
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './lib.ts';

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

export type Hotspot = Readonly<{ name: string; selfMs: number; totalMs: number; selfPct: number }>;

/**
 * Reads the `.cpuprofile` files node wrote with `--cpu-prof` and ranks functions by self time
 * (and shows their inclusive time), merged over every file in `dir`.
 */
export function summariseProfiles(dir: string, top = 20): { files: string[]; totalMs: number; hotspots: Hotspot[] } {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let totalMs = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    const label = (node: ProfileNode) => {
      const { functionName, url, lineNumber } = node.callFrame;
      const where = url ? relative(ROOT, url.replace(/^file:\/\//, '')) : '';
      return `${functionName || '(anonymous)'}${where ? ` ${where}:${lineNumber + 1}` : ''}`;
    };
    profile.samples.forEach((id, i) => {
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      totalMs += ms;
      const node = byId.get(id);
      if (!node) return;
      const name = label(node);
      self.set(name, (self.get(name) ?? 0) + ms);
      // Inclusive time: once per distinct function on the stack (recursion counted once).
      const seen = new Set<string>();
      for (let cur: ProfileNode | undefined = node; cur; cur = byId.get(parent.get(cur.id) ?? -1)) {
        const n = label(cur);
        if (seen.has(n)) continue;
        seen.add(n);
        total.set(n, (total.get(n) ?? 0) + ms);
      }
    });
  }
  const hotspots = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, selfMs: ms, totalMs: total.get(name) ?? ms, selfPct: totalMs ? (ms / totalMs) * 100 : 0 }));
  return { files, totalMs, hotspots };
}

/** Top functions by inclusive time within the app's own code (where a fix would go). */
export function appInclusive(dir: string, top = 15): Hotspot[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
  const total = new Map<string, number>();
  let totalMs = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    profile.samples.forEach((id, i) => {
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      totalMs += ms;
      const seen = new Set<string>();
      for (let cur = byId.get(id); cur; cur = byId.get(parent.get(cur.id) ?? -1)) {
        const { functionName, url, lineNumber } = cur.callFrame;
        if (!url.includes('/branch-server/') && !url.includes('/dist/server/')) continue;
        const n = `${functionName || '(anonymous)'} ${relative(ROOT, url.replace(/^file:\/\//, ''))}:${lineNumber + 1}`;
        if (seen.has(n)) continue;
        seen.add(n);
        total.set(n, (total.get(n) ?? 0) + ms);
      }
    });
  }
  return [...total.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([name, ms]) => ({ name, selfMs: Number.NaN, totalMs: ms, selfPct: totalMs ? (ms / totalMs) * 100 : 0 }));
}

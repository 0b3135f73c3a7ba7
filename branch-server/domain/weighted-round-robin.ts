/**
 * Smooth weighted round-robin (nginx's algorithm): each participant's current weight grows by its
 * weight, the largest is chosen and pays back the total. Over any run of picks over the same
 * participants, participant i is chosen within one pick of n × weight_i / total weight, and picks are
 * interleaved (2:1:1 gives A B C A, not A A B C).
 *
 * State is the caller's: it is read from `state` and returned as a new object, never mutated.
 * Keys absent from `entries` are carried over unchanged (a queue that is momentarily empty keeps its place).
 */
export type WeightedEntry = Readonly<{ key: string; weight: number }>;

export type WeightedPick = Readonly<{
  chosen: string;
  /** Current weights at decision time (after adding each weight), for explanations. */
  decisionWeights: Record<string, number>;
  totalWeight: number;
  weight: number;
  nextState: Record<string, number>;
}>;

/** Weights below 1 (or not finite) count as 1 so that a bad row cannot exclude a queue or break the arithmetic. */
export function normalizeWeight(weight: number): number {
  return Number.isFinite(weight) && weight >= 1 ? Math.floor(weight) : 1;
}

/**
 * One pick. Entries are considered in key order so the result does not depend on input order; ties go
 * to the smallest key. With `forced`, that key is chosen regardless (e.g. a due appointment) but the
 * state is charged exactly as if round-robin had chosen it, so the long-run ratio still holds.
 */
export function pickWeighted(
  entries: readonly WeightedEntry[],
  state: Readonly<Record<string, number>>,
  forced?: string,
): WeightedPick {
  const sorted = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const first = sorted[0];
  if (!first) throw new RangeError('pickWeighted needs at least one entry');

  const decisionWeights: Record<string, number> = {};
  const weights = new Map<string, number>();
  let totalWeight = 0;
  let best = first;
  let bestCurrent = -Infinity;
  for (const entry of sorted) {
    const weight = normalizeWeight(entry.weight);
    const previous = state[entry.key];
    const current = (typeof previous === 'number' && Number.isFinite(previous) ? previous : 0) + weight;
    decisionWeights[entry.key] = current;
    weights.set(entry.key, weight);
    totalWeight += weight;
    if (current > bestCurrent) {
      best = entry;
      bestCurrent = current;
    }
  }

  const chosen = forced !== undefined && weights.has(forced) ? forced : best.key;
  const nextState: Record<string, number> = { ...state, ...decisionWeights };
  nextState[chosen] = (decisionWeights[chosen] ?? 0) - totalWeight;
  return { chosen, decisionWeights, totalWeight, weight: weights.get(chosen) ?? 1, nextState };
}

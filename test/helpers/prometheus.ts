import { createRequire } from 'node:module';

/** One metric family as parse-prometheus-text-format returns it. */
export type MetricFamily = Readonly<{
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: ReadonlyArray<Readonly<{
    value?: string;
    labels?: Readonly<Record<string, string>>;
    buckets?: Readonly<Record<string, string>>;
    count?: string;
    sum?: string;
  }>>;
}>;

const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => MetricFamily[];

/** Parses the Prometheus text format with an independent parser (not prom-client's own). */
export function parsePrometheus(text: string): Map<string, MetricFamily> {
  return new Map(parse(text).map((family) => [family.name, family]));
}

/** Sum of a counter or gauge's samples whose labels include `labels`. */
export function sampleValue(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(name);
  if (!family) return 0;
  return family.metrics
    .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    .reduce((sum, m) => sum + Number(m.value ?? m.count ?? 0), 0);
}

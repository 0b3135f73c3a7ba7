import { Api } from './lib.ts';

/**
 * Child process of `npm run bench`: issues tickets in a closed loop (each of `concurrency` workers
 * sends the next POST as soon as its previous one answered), warm-up first, then the measured
 * window. Reports latencies and per-second counts to the parent over IPC.
 */
export type IssueLoadRequest = Readonly<{
  url: string;
  token: string;
  slug: string;
  queueIds: readonly string[];
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}>;

export type IssueLoadReport = Readonly<{
  latenciesMs: number[];
  perSecond: number[];
  ok: number;
  errors: number;
  firstError: string | null;
  elapsedMs: number;
}>;

async function run(job: IssueLoadRequest): Promise<IssueLoadReport> {
  const api = new Api(job.url, job.concurrency);
  const path = `/api/v1/tenants/${job.slug}/tickets/`;
  const latenciesMs: number[] = [];
  const perSecond: number[] = [];
  let ok = 0;
  let errors = 0;
  let firstError: string | null = null;
  let sent = 0;
  const warmupEnd = performance.now() + job.warmupMs;
  const end = warmupEnd + job.durationMs;

  const worker = async () => {
    while (performance.now() < end) {
      const queue = job.queueIds[sent % job.queueIds.length]!;
      sent += 1;
      const res = await api.request('POST', path, { token: job.token, body: { queue, channel: 'kiosk' } });
      const at = performance.now();
      if (at < warmupEnd || at > end) continue;
      if (res.status === 201) {
        ok += 1;
        latenciesMs.push(res.ms);
        const second = Math.floor((at - warmupEnd) / 1000);
        perSecond[second] = (perSecond[second] ?? 0) + 1;
      } else {
        errors += 1;
        firstError ??= `${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  api.close();
  return { latenciesMs, perSecond: Array.from(perSecond, (n) => n ?? 0), ok, errors, firstError, elapsedMs: job.durationMs };
}

process.once('message', (job: IssueLoadRequest) => {
  run(job).then(
    (report) => process.send?.({ type: 'report', report }, () => process.exit(0)),
    (error: unknown) => process.send?.({ type: 'error', message: String((error as Error).stack ?? error) }, () => process.exit(1)),
  );
});

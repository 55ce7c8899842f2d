import type { CancellationToken } from 'vscode-languageserver/node.js';
import type { ExploreSettings, TracesParams, TracesResult } from '../protocol/lsp.js';
import type { DocumentSnapshot } from './documents.js';
import { jobLimits } from './exploration.js';
import type { WorkerHost } from './worker-host.js';

/** Requests wait for each other: the traces worker runs one job at a time. */
export class TraceRequests {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: WorkerHost,
    private readonly settings: () => ExploreSettings,
  ) {}

  /** The traces of one run (or all) of a document version, computed in the traces worker; cancellable. */
  request(snapshot: DocumentSnapshot, params: TracesParams, token: CancellationToken): Promise<TracesResult> {
    const run = params.run === null ? null : { name: params.run.name, start: params.run.position ? snapshot.lines.offsetAt(params.run.position) : null };
    const explore = this.settings();
    // An explicit request may take longer than a background run.
    const limits = { ...jobLimits(explore), timeBudgetMs: Math.max(explore.timeBudgetMs, 10_000) };
    const base = { uri: snapshot.uri, version: snapshot.version };
    const next = this.queue.then(
      () =>
        new Promise<TracesResult>((resolve) => {
          if (token.isCancellationRequested) {
            resolve({ ...base, error: 'cancelled', runs: [] });
            return;
          }
          let answered = false;
          const job = this.host.run(
            { type: 'traces', text: snapshot.text, run, seed: params.seed ?? null, mode: params.mode ?? null, limits },
            (message) => {
              if (message.type === 'traces') {
                answered = true;
                resolve({ ...base, error: message.error, runs: message.runs });
              } else if (message.type === 'error') {
                answered = true;
                resolve({ ...base, error: `internal error: ${message.message.split('\n')[0]}`, runs: [] });
              }
            },
          );
          const subscription = token.onCancellationRequested(() => job.stop());
          void job.ended.then((end) => {
            subscription.dispose();
            if (!answered) resolve({ ...base, error: end.kind === 'crashed' ? `the worker crashed: ${end.reason}` : 'cancelled', runs: [] });
          });
        }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }
}

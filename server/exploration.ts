import type { Diagnostic } from '../language/diagnostic.js';
import { diagnostic } from '../language/diagnostic.js';
import type { ExplorationState, ExploreSettings } from '../protocol/lsp.js';
import type { JobEnd, RunningJob, WorkerHost } from './worker-host.js';
import type { JobLimits } from './worker-messages.js';

/** Where the scheduler's results go (the server's diagnostics publisher and status notifications). */
export interface ExplorationSink {
  /** Whether `version` is still the document's current version. */
  isCurrent(uri: string, version: number): boolean;
  /** The slow diagnostics of a version so far (every run that finished, in file order). */
  publish(uri: string, version: number, diagnostics: Diagnostic[]): void;
  status(uri: string, version: number, state: ExplorationState, summary: string[]): void;
}

export interface SchedulerOptions {
  debounceMs: number;
  settings: () => ExploreSettings;
  log: (message: string) => void;
}

interface Pending {
  uri: string;
  version: number;
  text: string;
  ready: boolean;
  timer: NodeJS.Timeout | null;
}

/** Converts the explore settings into a job's limits; the soft memory cap sits below the worker's hard one. */
export function jobLimits(settings: ExploreSettings): JobLimits {
  return {
    timeBudgetMs: settings.timeBudgetMs,
    maxStates: settings.maxStates,
    maxDepth: settings.maxDepth,
    maxMemoryBytes: Math.floor(settings.maxMemoryMb * 0.7 * 1024 * 1024),
    bitstate: settings.onMemoryLimit === 'bitstate',
    workers: settings.workers,
  };
}

/**
 * Background exploration: each change of an error-free document is debounced,
 * then its scenarios and checks run in the worker, one document at a time. A
 * newer version of the document being explored stops the run at once (through
 * the worker host's stop flag); results of a version that is no longer current
 * are dropped; a crashed worker is replaced and the crash reported once.
 */
export class ExplorationScheduler {
  private readonly pending = new Map<string, Pending>();
  private running: { uri: string; version: number; job: RunningJob } | null = null;
  private disposed = false;

  constructor(
    private readonly host: WorkerHost,
    private readonly sink: ExplorationSink,
    private readonly options: SchedulerOptions,
  ) {}

  /**
   * A new version of a document that may be explored, after the debounce (or
   * `delayMs`: an opened document needs no wait for the typing to pause).
   */
  schedule(uri: string, version: number, text: string, delayMs = this.options.debounceMs): void {
    if (this.disposed) return;
    this.clearPending(uri);
    this.stopRunning(uri);
    const entry: Pending = { uri, version, text, ready: false, timer: null };
    entry.timer = setTimeout(() => {
      entry.timer = null;
      entry.ready = true;
      this.pump();
    }, delayMs);
    this.pending.set(uri, entry);
    this.sink.status(uri, version, 'scheduled', []);
  }

  /** Nothing to explore for this document any more (closed, has errors, background off). */
  cancel(uri: string): void {
    this.clearPending(uri);
    this.stopRunning(uri);
  }

  dispose(): void {
    this.disposed = true;
    for (const uri of [...this.pending.keys()]) this.clearPending(uri);
    this.running?.job.stop();
  }

  private clearPending(uri: string): void {
    const entry = this.pending.get(uri);
    if (entry === undefined) return;
    if (entry.timer !== null) clearTimeout(entry.timer);
    this.pending.delete(uri);
  }

  private stopRunning(uri: string): void {
    if (this.running !== null && this.running.uri === uri) this.running.job.stop();
  }

  private pump(): void {
    if (this.disposed || this.running !== null || this.host.busy) return;
    const next = [...this.pending.values()].find((p) => p.ready);
    if (next === undefined) return;
    this.pending.delete(next.uri);
    if (!this.sink.isCurrent(next.uri, next.version)) {
      this.pump();
      return;
    }
    const { uri, version } = next;
    const collected: Diagnostic[] = [];
    const summary: string[] = [];
    const job = this.host.run({ type: 'explore', text: next.text, limits: jobLimits(this.options.settings()) }, (message) => {
      if (message.type === 'run') {
        summary.push(message.summary);
        if (message.diagnostics.length === 0) return;
        collected.push(...message.diagnostics);
        if (this.sink.isCurrent(uri, version)) this.sink.publish(uri, version, [...collected]);
      } else if (message.type === 'error') {
        this.options.log(`exploration failed: ${message.message}`);
      }
    });
    this.running = { uri, version, job };
    this.sink.status(uri, version, 'running', []);
    void job.ended.then((end) => this.finished(uri, version, end, collected, summary));
  }

  private finished(uri: string, version: number, end: JobEnd, collected: Diagnostic[], summary: string[]): void {
    this.running = null;
    if (this.sink.isCurrent(uri, version) && !this.pending.has(uri)) {
      if (end.kind === 'finished') {
        // Every run's diagnostics were published as it finished.
        this.sink.status(uri, version, 'done', summary);
      } else if (end.kind === 'crashed') {
        const note = diagnostic('FTP404', 'information', `exploration stopped: the worker ${/memory/i.test(end.reason) ? 'ran out of memory' : `crashed (${end.reason})`}; properties not checked so far are not proven`, { start: 0, end: 0 });
        this.sink.publish(uri, version, [...collected, note]);
        this.sink.status(uri, version, 'failed', summary);
      } else {
        this.sink.status(uri, version, 'cancelled', summary);
      }
    } else {
      this.sink.status(uri, version, 'cancelled', summary);
    }
    this.pump();
  }
}

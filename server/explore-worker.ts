import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { compileSystem, runSources, type RunOverrides } from '../engine/compile.js';
import { reportDiagnostics } from '../engine/report-diagnostics.js';
import { exploreStates, type StopSignal } from '../engine/explore.js';
import { parallelJob } from '../engine/explore-parallel.js';
import { runCheck, runCheckWith, type Explorer, type RunOptions, type RunReport } from '../engine/run-check.js';
import { runWithTraces } from '../engine/run-traces.js';
import type { RunSource } from '../engine/system.js';
import { analyzeText } from '../language/analyze.js';
import type { CheckedModel } from '../language/check/model.js';
import { exploreOnThreads } from '../threads/explore-parallel.js';
import { runNameOf } from '../language/queries/code-lens.js';
import type { RunTraces } from '../protocol/lsp.js';
import type { ExploreJob, JobLimits, TracesJob, WorkerData, WorkerJob, WorkerMessage } from './worker-messages.js';

/**
 * The exploration worker: re-parses the text it is given, runs the engine
 * (synchronously: this thread exists so the server's does not), and posts plain
 * JSON back. A job stops when the server raises the shared stop flag to its id.
 */

/** Reads the server's stop flag: a job is stopped once the flag reaches its id. */
class SharedStop implements StopSignal {
  constructor(
    private readonly flag: Int32Array,
    private readonly id: number,
  ) {}

  get stopped(): boolean {
    return Atomics.load(this.flag, 0) >= this.id;
  }
}

const port = parentPort;
const flag = new Int32Array((workerData as WorkerData).stop);

function post(message: WorkerMessage): void {
  port?.postMessage(message);
}

/** Jobs run one after another: an exploration on several threads awaits them, and the next job must wait for it. */
let jobs: Promise<void> = Promise.resolve();

port?.on('message', (job: WorkerJob) => {
  jobs = jobs.then(async () => {
    try {
      if (job.type === 'explore') await explore(job);
      else traces(job);
    } catch (error) {
      post({ type: 'error', id: job.id, message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  });
});

function runOptions(model: CheckedModel, source: RunSource, limits: JobLimits, stop: StopSignal, mode: 'explore' | 'simulate' | null): RunOptions {
  // The settings cap the file's own bounds; they never raise them.
  const own = compileSystem(model, source).value?.bounds;
  const overrides: RunOverrides = {
    bounds: {
      states: Math.min(own?.states ?? limits.maxStates, limits.maxStates),
      depth: Math.min(own?.depth ?? limits.maxDepth, limits.maxDepth),
    },
  };
  return {
    now: () => performance.now(),
    timeBudgetMs: limits.timeBudgetMs,
    stop,
    overrides,
    maxMemoryBytes: limits.maxMemoryBytes,
    memoryUsed: () => {
      // The visited set and the frontier live in typed arrays, outside the JS heap.
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    },
    bitstate: limits.bitstate,
    ...(mode ? { mode } : {}),
  };
}

function summaryOf(report: RunReport): string {
  const size = report.explore
    ? `${report.explore.states.toLocaleString('en-US')} states${report.explore.workers ? ` on ${report.explore.workers} threads` : ''}`
    : report.simulate
      ? `${report.simulate.runs.toLocaleString('en-US')} runs`
      : 'not run';
  return `${report.run}: ${size}, ${report.status}: ${report.ok ? 'ok' : 'FAILED'}`;
}

/**
 * With `workers` above 1, an exhaustive exploration runs on that many threads
 * of their own (`exploreOnThreads`), each of which rebuilds the run from the
 * text; a bitstate search stays here, as in the CLI. This thread's memory figure
 * is its own heap and arrays, and each thread adds its own.
 */
function explorerFor(job: ExploreJob, model: CheckedModel, source: RunSource): Explorer {
  const parallel = parallelJob(job.text, runSources(model).indexOf(source));
  return (sys, limits) => (limits.bitstate ? Promise.resolve(exploreStates(sys, limits)) : exploreOnThreads(parallel, limits, { workers: job.limits.workers }));
}

async function explore(job: ExploreJob): Promise<void> {
  const stop = new SharedStop(flag, job.id);
  const { model } = analyzeText(job.text);
  if (model.hasErrors) {
    post({ type: 'done', id: job.id, stopped: false });
    return;
  }
  for (const source of runSources(model)) {
    if (stop.stopped) break;
    const options = runOptions(model, source, job.limits, stop, null);
    const report = job.limits.workers > 1 ? await runCheckWith(model, source, options, explorerFor(job, model, source)) : runCheck(model, source, options);
    if (report.status === 'stopped' && stop.stopped) break;
    post({ type: 'run', id: job.id, run: report.run, diagnostics: reportDiagnostics(report), summary: summaryOf(report) });
  }
  post({ type: 'done', id: job.id, stopped: stop.stopped });
}

function traces(job: TracesJob): void {
  const stop = new SharedStop(flag, job.id);
  const { model } = analyzeText(job.text);
  if (model.hasErrors) {
    post({ type: 'traces', id: job.id, error: 'the file has errors: fix them to run it', runs: [] });
    return;
  }
  let sources = runSources(model);
  const wanted = job.run;
  if (wanted !== null) {
    const named = sources.filter((s) => (s === null ? 'explore' : runNameOf(s)) === wanted.name);
    const exact = named.filter((s) => wanted.start === null || s?.span.start === wanted.start);
    sources = exact.length > 0 ? exact.slice(0, 1) : named.slice(0, 1);
    if (sources.length === 0) {
      post({ type: 'traces', id: job.id, error: `no scenario or check named '${wanted.name}'`, runs: [] });
      return;
    }
  }
  const runs: RunTraces[] = [];
  for (const source of sources) {
    if (stop.stopped) break;
    runs.push(runWithTraces(model, source, runOptions(model, source, job.limits, stop, job.mode), job.seed ?? 1, 200));
  }
  post({ type: 'traces', id: job.id, error: stop.stopped ? 'cancelled' : null, runs });
}

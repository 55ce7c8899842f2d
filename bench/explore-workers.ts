/**
 * Exploration on one thread against several, measured in one run on one machine.
 *
 *   npm run bench:explore-workers [-- --sizes 5,6,7] [-- --workers 2] [-- --repeat 3]
 *
 * Two-phase commit with N participants (1 coordinator crash, 1 drop, no symmetry):
 * `exploreStates` on this thread, then `exploreStatesParallel` on worker threads,
 * each exhaustive. Wall time is what parallelism buys, so rates are states per
 * wall second; the load average before each run is printed with it, because other
 * jobs on the machine take cores from exactly this measurement. The thread pool is
 * started and warmed before timing (its start-up is paid once per process). A
 * state count that differs between the two fails the bench.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ExploreLimits } from '../engine/explore.js';
import { exploreStates } from '../engine/explore.js';
import { compileJob, parallelJob } from '../engine/explore-parallel.js';
import { ExploreThreadPool, exploreOnThreads } from '../threads/explore-parallel.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const sizes = option('--sizes', '6').split(',').map(Number);
const workers = Number(option('--workers', '2'));
const repeat = Number(option('--repeat', '1'));
const root = new URL('../../', import.meta.url).pathname;
const text = readFileSync(join(root, 'bench/models/two-phase-commit.ftp'), 'utf8');
const limits = (): ExploreLimits => ({ maxDepth: 10_000, maxStates: 100_000_000, deadline: Number.POSITIVE_INFINITY, now: () => performance.now(), exhaustive: true });
const load = () => Number(loadavg()[0]!.toFixed(2));

const pool = new ExploreThreadPool();
let mismatch = false;
try {
  // Start the threads and warm both paths' code before timing.
  await exploreOnThreads(parallelJob(text, 0, { params: new Map([['N', 4]]), symmetry: false }), limits(), { workers, pool });
  exploreStates(compileJob(parallelJob(text, 0, { params: new Map([['N', 4]]), symmetry: false }))!, limits());
  for (const n of sizes) {
    const job = parallelJob(text, 0, { params: new Map([['N', n]]), symmetry: false });
    for (let r = 0; r < repeat; r++) {
      const sys = compileJob(job)!;
      const load1 = load();
      let t = performance.now();
      const one = exploreStates(sys, limits());
      const oneSeconds = (performance.now() - t) / 1000;
      const loadN = load();
      t = performance.now();
      const many = await exploreOnThreads(job, limits(), { workers, pool });
      const manySeconds = (performance.now() - t) / 1000;
      if (one.stats.states !== many.stats.states || one.stats.transitions !== many.stats.transitions) mismatch = true;
      const row = (w: number, states: number, seconds: number, loadAverage: number, speedup: number) => ({
        model: 'two-phase-commit',
        N: n,
        states,
        workers: w,
        seconds: Number(seconds.toFixed(2)),
        statesPerSec: Math.round(states / seconds),
        speedup: Number(speedup.toFixed(3)),
        loadAverage,
      });
      process.stdout.write(`${JSON.stringify(row(1, one.stats.states, oneSeconds, load1, 1))}\n`);
      process.stdout.write(`${JSON.stringify(row(workers, many.stats.states, manySeconds, loadN, oneSeconds / manySeconds))}\n`);
    }
  }
} finally {
  await pool.dispose();
}
if (mismatch) {
  process.stderr.write('bench: one thread and several found different state or transition counts\n');
  process.exitCode = 1;
}

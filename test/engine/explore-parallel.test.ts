import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { runSources } from '../../engine/compile.js';
import type { ExploreLimits, ExploreResult, Violation } from '../../engine/explore.js';
import { exploreStates } from '../../engine/explore.js';
import type { ParallelJob } from '../../engine/explore-parallel.js';
import { compileJob, parallelJob, parallelUnsupported } from '../../engine/explore-parallel.js';
import { failuresAtEnd, failuresInState } from '../../engine/properties.js';
import { initialStates, successors } from '../../engine/steps.js';
import type { TransitionSystem } from '../../engine/system.js';
import { analyzeText } from '../../language/analyze.js';
import { ExploreThreadPool, exploreOnThreads } from '../../threads/explore-parallel.js';
import { unlimited } from '../support/analyze.js';
import { repoRoot } from '../support/repo.js';
import { sampleNames, sampleText } from '../support/samples.js';
import { protocol, shapes } from '../support/shape-protocol.js';

// Two workers against `exploreStates`: the same states, transitions and verdicts,
// and counterexamples of the same length that replay to a violating state. Which
// shortest counterexample is found, and where a state bound cuts, depend on the
// interleaving (see `engine/explore-parallel.ts`), so those are not compared.

const pool = new ExploreThreadPool();
after(() => pool.dispose());

/** Replays a violation's path through the interpreter and checks it ends where the property fails. */
function assertReplays(sys: TransitionSystem, v: Violation): void {
  let s = initialStates(sys)[v.initial];
  assert.ok(s, `${v.property}: initial state ${v.initial}`);
  for (let i = 0; i < v.path.length; i++) {
    const succ = successors(sys, s)[v.path[i]!];
    assert.ok(succ, `${v.property}: step ${i} takes successor ${v.path[i]}`);
    if (i === v.path.length - 1 && v.kind === 'runtime-error') {
      assert.ok(succ.step.error, `${v.property}: the last step fails`);
      return;
    }
    s = succ.state;
  }
  assert.notEqual(v.kind, 'runtime-error', 'a handler error ends on a failing step');
  const failing = [...failuresInState(sys, s, () => false), ...failuresAtEnd(sys, s, () => false)];
  assert.ok(
    failing.some((f) => f.property === v.property),
    `${v.property}: the path ends in a state violating it`,
  );
}

/** Compares what must be equal, given how the single-threaded search ended. */
function assertSame(sys: TransitionSystem, parallel: ExploreResult, single: ExploreResult, limits: ExploreLimits, what: string): void {
  for (const v of parallel.violations) assertReplays(sys, v);
  const lengths = (r: ExploreResult, withErrors: boolean) =>
    Object.fromEntries(r.violations.filter((v) => withErrors || v.kind !== 'runtime-error').map((v) => [v.property, v.path.length]));
  const counts = (r: ExploreResult) => {
    // Under symmetry, the states they stand for too.
    const { states, transitions, depth, terminal, deadlocks, rawStates } = r.stats;
    return { status: r.status, states, transitions, depth, terminal, deadlocks, rawStates };
  };
  if (single.status === 'limit-states') {
    // The cut falls after exactly maxStates states; which ones depends on the interleaving.
    assert.equal(parallel.stats.states, single.stats.states, `${what}: states at the bound`);
    if (parallel.status !== 'complete') assert.equal(parallel.status, 'limit-states', what);
    return;
  }
  const stoppedAtViolations = !limits.exhaustive && single.status === 'complete' && sys.properties.length > 0 && sys.properties.every((p) => single.violations.some((v) => v.property === p.name));
  if (stoppedAtViolations) {
    // Counts depend on where in its last level the search stopped; so does a handler error found in that level.
    assert.equal(parallel.status, 'complete', what);
    assert.deepEqual(lengths(parallel, false), lengths(single, false), `${what}: violated properties and path lengths`);
    return;
  }
  assert.deepEqual(counts(parallel), counts(single), `${what}: counts`);
  assert.deepEqual(lengths(parallel, true), lengths(single, true), `${what}: violated properties and path lengths`);
  assert.equal(parallel.stats.symmetry, single.stats.symmetry);
}

async function compare(job: ParallelJob, limits: ExploreLimits, what: string): Promise<void> {
  const sys = compileJob(job);
  assert.ok(sys, what);
  const single = exploreStates(sys, limits);
  const parallel = await exploreOnThreads(job, limits, { workers: 2, pool });
  assertSame(sys, parallel, single, limits, what);
}

test('every sample run two workers cover explores to the same counts, verdicts and path lengths as one', async () => {
  let covered = 0;
  for (const name of sampleNames()) {
    const text = sampleText(name);
    const { model } = analyzeText(text);
    const sources = runSources(model);
    for (let run = 0; run < sources.length; run++) {
      for (const symmetry of [false, true]) {
        const job = parallelJob(text, run, { symmetry });
        const sys = compileJob(job);
        if (!sys || sys.mode !== 'explore' || parallelUnsupported(sys, unlimited) !== null) continue;
        covered++;
        const bounds = { ...unlimited, maxDepth: sys.bounds.depth, maxStates: sys.bounds.states };
        for (const exhaustive of [true, false]) await compare(job, { ...bounds, exhaustive }, `${name} ${sys.runName} symmetry ${symmetry} exhaustive ${exhaustive}`);
      }
    }
  }
  assert.ok(covered >= 20, `only ${covered} sample runs are covered`);
});

test('two workers explore random protocols to the same counts, verdicts and path lengths as one (bounds and symmetry too)', async () => {
  await fc.assert(
    fc.asyncProperty(shapes, fc.boolean(), fc.boolean(), fc.constantFrom(100_000, 100_000, 3_000, 40), async (c, exhaustive, symmetry, maxStates) => {
      const text = protocol(c);
      const job = parallelJob(text, 0, { symmetry });
      const sys = compileJob(job);
      assert.ok(sys);
      await compare(job, { ...unlimited, maxDepth: sys.bounds.depth, maxStates, exhaustive }, text);
    }),
    { numRuns: 30, seed: 5150 },
  );
});

/** Two-phase commit with an invariant only: the sample's unbounded `eventually` would send it to one thread. */
const benchModel = readFileSync(join(repoRoot(), 'bench', 'models', 'two-phase-commit.ftp'), 'utf8');

test('the same result every time: ten runs of one model give one state count and one verdict', async () => {
  const job = parallelJob(benchModel.replace('check explore {', 'invariant NoCommit: forall p in Participant: p.phase != COMMIT\ncheck explore {'), 0, { params: new Map([['N', 3]]), symmetry: false });
  assert.equal(parallelUnsupported(compileJob(job)!, unlimited), null);
  const seen = new Set<string>();
  for (let i = 0; i < 10; i++) {
    const r = await exploreOnThreads(job, { ...unlimited, exhaustive: true }, { workers: 2, pool });
    seen.add(JSON.stringify({ status: r.status, states: r.stats.states, transitions: r.stats.transitions, violations: r.violations.map((v) => [v.property, v.path.length]) }));
  }
  assert.equal(seen.size, 1, [...seen].join('\n'));
  assert.match([...seen][0]!, /"NoCommit",\d+/);
});

test('a stop, a deadline, a state bound and a memory budget end a parallel search cleanly', async () => {
  const job = parallelJob(benchModel, 0, { params: new Map([['N', 4]]), symmetry: false });
  const stopped = await exploreOnThreads(job, { ...unlimited, stop: { stopped: true } }, { workers: 2, pool });
  assert.equal(stopped.status, 'stopped');
  const late = await exploreOnThreads(job, { ...unlimited, deadline: unlimited.now() - 1 }, { workers: 2, pool });
  assert.equal(late.status, 'limit-time');
  const bounded = await exploreOnThreads(job, { ...unlimited, maxStates: 5_000 }, { workers: 2, pool });
  assert.equal(bounded.status, 'limit-states');
  assert.equal(bounded.stats.states, 5_000);
  // The coordinator's share of the budget alone is over it: the workers see it at their next check.
  const full = await exploreOnThreads(job, { ...unlimited, maxMemoryBytes: 1 << 20, memoryUsed: () => 2 << 20 }, { workers: 2, pool });
  assert.equal(full.status, 'limit-memory');
  assert.ok(full.stats.states < 24_388, `${full.stats.states} states`);
});

test('under a memory budget a parallel search stops cleanly with limit-memory, with a whole-process gauge or a per-thread one', async () => {
  const job = parallelJob(benchModel, 0, { params: new Map([['N', 6]]), symmetry: false });
  // A whole-process gauge (as the CLI's resident set): the workers are part of it, measure it too, and are not added on top.
  const rss = () => process.memoryUsage.rss();
  const budget = Math.ceil((rss() + (48 << 20)) / 0.85);
  const r = await exploreOnThreads(job, { ...unlimited, exhaustive: true, maxMemoryBytes: budget, memoryUsed: rss }, { workers: 2, pool, memoryUsedCoversWorkers: true });
  assert.equal(r.status, 'limit-memory');
  assert.ok(r.stats.states > 1_000 && r.stats.states < 3_273_545, `${r.stats.states} states`);
  assert.ok(r.stats.depth >= 1, `depth ${r.stats.depth}`);
  assert.ok(rss() <= budget, `${rss()} bytes resident against a budget of ${budget}`);
  // A per-thread gauge: each worker adds its own heap and arrays to the caller's figure.
  const small = await exploreOnThreads(job, { ...unlimited, exhaustive: true, maxMemoryBytes: 64 << 20, memoryUsed: () => 0 }, { workers: 2, pool });
  assert.equal(small.status, 'limit-memory');
  assert.ok(small.stats.states < 3_273_545, `${small.stats.states} states`);
});

test('models two workers do not cover are explored on one thread, with the same result', async () => {
  // An unbounded `eventually` (the cycle search needs every edge in one place), and partitions.
  const text = protocol({ n: 2, fifo: false, lossy: false, crashLeader: 1, recover: false, whileSending: false, crashMember: 0, drop: 1, duplicate: 0, timer: false, selfPing: false, overflow: false, stableCount: false, sets: false, byzantine: 0, eventually: true, depth: 0 });
  for (const t of [text, text.replace('check explore {', 'check explore { partition up to 1;').replace('eventually Done', 'invariant Done')]) {
    const job = parallelJob(t, 0, { symmetry: false });
    const sys = compileJob(job)!;
    assert.notEqual(parallelUnsupported(sys, unlimited), null);
    const single = exploreStates(sys, { ...unlimited });
    const parallel = await exploreOnThreads(job, { ...unlimited }, { workers: 2, pool });
    assert.deepEqual({ ...parallel, stats: { ...parallel.stats, elapsedMs: 0 } }, { ...single, stats: { ...single.stats, elapsedMs: 0 } });
  }
});

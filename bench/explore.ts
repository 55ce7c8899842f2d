/**
 * Exploration speed against Spin, measured in one run on one machine.
 *
 *   npm run bench:explore [-- --json] [-- --quick] [-- --interpreter] [-- --model=NAME] [-- --n=N]
 *
 * For three protocols of different shapes, at several sizes N, it runs our explorer
 * and Spin's C verifier (`-DSAFETY -DNOREDUCE`) on the same protocol, checks that
 * both count the same states, and prints states per CPU second (the fastest of
 * three runs on the smaller sizes), bytes per stored state and the ratio ours/Spin:
 *   two-phase-commit    N participants, 1 coordinator crash, 1 drop
 *                       (bench/models/two-phase-commit.ftp, bench/promela-2pc.ts);
 *   byzantine-generals  OM(1) with N generals, any one of them a traitor that sends
 *                       any order or none (bench/promela-byzantine-generals.ts);
 *   quorum-register     a write then a read with majority quorums of N replicas,
 *                       1 replica crash, 1 drop (bench/promela-quorum-register.ts).
 * Spin and gcc are installed with apt-get when missing. It also measures
 * simulation steps/second.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compileSystem } from '../engine/compile.js';
import { exploreStates } from '../engine/explore.js';
import { simulateRuns } from '../engine/simulate.js';
import { analyzeText } from '../language/analyze.js';
import { promelaTwoPhaseCommit } from './promela-2pc.js';
import { promelaByzantineGenerals } from './promela-byzantine-generals.js';
import { promelaQuorumRegister } from './promela-quorum-register.js';

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const quick = args.has('--quick');
/** Also time the interpreter (the reference successor generator) on each size. */
const interpreterToo = args.has('--interpreter');
/** Only this model (`--model=quorum-register`), to re-measure one without the rest. */
const only = [...args].find((a) => a.startsWith('--model='))?.slice('--model='.length) ?? null;
/** Only this size (`--n=6`), with `--model` to re-measure one point. */
const onlyN = Number([...args].find((a) => a.startsWith('--n='))?.slice('--n='.length) ?? Number.NaN);
const root = new URL('../../', import.meta.url).pathname;

interface Size {
  n: number;
  /** Runs of each side, the fastest counted: three where a run takes seconds, one where it takes minutes. */
  repeats: number;
  /** Part of `--quick`: all of these together finish in under 30 s. */
  quick: boolean;
}

interface BenchModel {
  name: string;
  text: string;
  promela: (n: number) => string;
  sizes: Size[];
}

function benchModel(name: string, promela: (n: number) => string, sizes: Size[]): BenchModel {
  return { name, text: readFileSync(join(root, `bench/models/${name}.ftp`), 'utf8'), promela, sizes };
}

// The whole run takes about 10 CPU minutes, 5 of them 2PC at N = 7.
const models: BenchModel[] = [
  benchModel('two-phase-commit', promelaTwoPhaseCommit, [
    { n: 3, repeats: 3, quick: true }, // 300 states
    { n: 4, repeats: 3, quick: true }, // 24 k
    { n: 5, repeats: 3, quick: true }, // 285 k
    { n: 6, repeats: 3, quick: false }, // 3.3 M
    { n: 7, repeats: 1, quick: false }, // 36.7 M
  ]),
  benchModel('byzantine-generals', promelaByzantineGenerals, [
    { n: 4, repeats: 3, quick: true }, // 12 k
    { n: 5, repeats: 3, quick: false }, // 1.4 M
  ]),
  benchModel('quorum-register', promelaQuorumRegister, [
    { n: 3, repeats: 3, quick: true }, // 3.6 k
    { n: 4, repeats: 3, quick: true }, // 19 k
    { n: 5, repeats: 3, quick: false }, // 781 k
    { n: 6, repeats: 3, quick: false }, // 4.3 M
  ]),
];

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function ensureSpin(): void {
  if (have('spin') && have('gcc')) return;
  process.stderr.write('bench: installing spin and gcc with apt-get\n');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'spin', 'gcc'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

interface Measure {
  states: number;
  /** CPU seconds: the machine is shared, and wall time would charge us for other jobs. */
  seconds: number;
  wallSeconds: number;
  bytesPerState: number;
  /** The BFS frontier at its largest (two levels of encoded states), per stored state. */
  frontierBytesPerState?: number;
}

/** Hash-table bits for pan: about two slots per state. */
function hashBits(states: number): number {
  return Math.max(16, Math.ceil(Math.log2(states)) + 1);
}

/** CPU seconds (user + system) of this process since `since`. */
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

function ours(bench: BenchModel, n: number, engine: 'auto' | 'interpreter' = 'auto'): Measure {
  const { model } = analyzeText(bench.text);
  const sys = compileSystem(model, model.checks[0] ?? null, { params: new Map([['N', n]]), symmetry: false }).value;
  if (!sys) throw new Error('the benchmark model does not compile');
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = exploreStates(sys, { maxDepth: 10_000, maxStates: 50_000_000, deadline: Number.POSITIVE_INFINITY, now: () => performance.now(), exhaustive: true, engine });
  const wall = (performance.now() - t0) / 1000;
  return { states: r.stats.states, seconds: cpuSeconds(c0), wallSeconds: wall, bytesPerState: r.stats.bytesPerState, frontierBytesPerState: r.stats.peakFrontierBytes / r.stats.states };
}

/** The fastest of `times` runs: other jobs on a shared machine only ever make a run slower. */
function best(times: number, run: () => Measure): Measure {
  let fastest = run();
  for (let i = 1; i < times; i++) {
    const m = run();
    if (m.seconds < fastest.seconds) fastest = m;
  }
  return fastest;
}

/** Writes the Promela twin and compiles its verifier once; each timed run is one run of the verifier. */
function buildPan(bench: BenchModel, n: number, dir: string): string {
  const pml = join(dir, `${bench.name}-${n}.pml`);
  writeFileSync(pml, bench.promela(n));
  execFileSync('spin', ['-a', pml], { cwd: dir, stdio: 'ignore' });
  const pan = join(dir, `pan-${bench.name}-${n}`);
  execFileSync('gcc', ['-O2', '-DSAFETY', '-DNOREDUCE', '-DMEMLIM=16384', '-o', pan, 'pan.c'], { cwd: dir, stdio: 'ignore' });
  return pan;
}

/** `expected` states size pan's hash table (-w), as a Spin user would: a fixed 2^26 table costs more to clear than a small model takes to explore. */
function spin(pan: string, dir: string, expected: number): Measure {
  // The shell's `times` reports the CPU time of the verifier it ran (user and system).
  const out = execFileSync('sh', ['-c', `"${pan}" -m1000000 -w${hashBits(expected)}; times`], { cwd: dir, encoding: 'utf8' });
  const states = Number(/(\d+) states, stored/.exec(out)?.[1] ?? NaN);
  const elapsed = Number(/elapsed time ([\d.e+-]+) seconds/.exec(out)?.[1] ?? NaN);
  const equivalentMb = Number(/([\d.]+)\s+equivalent memory usage for states/.exec(out)?.[1] ?? NaN);
  const times = [...out.matchAll(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/g)].at(-1);
  const cpu = times ? Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4]) : NaN;
  return { states, seconds: cpu, wallSeconds: elapsed, bytesPerState: (equivalentMb * 1024 * 1024) / states };
}

function simulationStepsPerSecond(bench: BenchModel, n: number): number {
  const { model } = analyzeText(bench.text);
  const sys = compileSystem(model, model.checks[0] ?? null, { params: new Map([['N', n]]) }).value!;
  const r = simulateRuns(sys, { runs: 2000, steps: 200, seed: 1, deadline: Number.POSITIVE_INFINITY, now: () => performance.now() });
  return r.steps / (r.elapsedMs / 1000);
}

ensureSpin();
const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
let mismatch = false;
const rows: Record<string, unknown>[] = [];
try {
  ours(models[0]!, 3); // warm up the JIT before measuring
  for (const bench of models) {
    if (only !== null && bench.name !== only) continue;
    for (const { n, repeats, quick: inQuick } of bench.sizes) {
      if (quick && !inQuick) continue;
      if (!Number.isNaN(onlyN) && n !== onlyN) continue;
      const a = best(repeats, () => ours(bench, n));
      const pan = buildPan(bench, n, dir);
      const b = best(repeats, () => spin(pan, dir, a.states));
      const reference = interpreterToo ? best(repeats, () => ours(bench, n, 'interpreter')) : null;
      const row = {
        model: bench.name,
        N: n,
        states: a.states,
        spinStates: b.states,
        statesPerSec: Math.round(a.states / a.seconds),
        // CPU times come in 10 ms steps: below 50 ms there is no rate worth comparing.
        spinStatesPerSec: b.seconds >= 0.05 ? Math.round(b.states / b.seconds) : null,
        ratio: b.seconds >= 0.05 ? Number((a.states / a.seconds / (b.states / b.seconds)).toFixed(3)) : null,
        wallStatesPerSec: Math.round(a.states / a.wallSeconds),
        spinWallStatesPerSec: b.wallSeconds >= 0.05 ? Math.round(b.states / b.wallSeconds) : null,
        ...(reference ? { interpreterStatesPerSec: Math.round(reference.states / reference.seconds) } : {}),
        bytesPerState: Number(a.bytesPerState.toFixed(1)),
        frontierBytesPerState: Number((a.frontierBytesPerState ?? 0).toFixed(1)),
        spinBytesPerState: Number(b.bytesPerState.toFixed(1)),
        workers: 1,
        symmetry: false,
      };
      if (a.states !== b.states) mismatch = true;
      rows.push(row);
      if (json) process.stdout.write(`${JSON.stringify(row)}\n`);
    }
  }
  const sim = { model: 'two-phase-commit', N: 5, simulationStepsPerSec: Math.round(simulationStepsPerSecond(models[0]!, 5)) };
  if (json) process.stdout.write(`${JSON.stringify(sim)}\n`);
  else {
    console.log('model               N     states  spin states  ours st/s  spin st/s  ratio  B/state  spin B/state  frontier B/state  (per CPU second)');
    for (const r of rows) {
      console.log(
        `${String(r.model).padEnd(18)} ${String(r.N).padStart(2)} ${String(r.states).padStart(10)} ${String(r.spinStates).padStart(12)} ${String(r.statesPerSec).padStart(10)} ${String(r.spinStatesPerSec).padStart(10)} ${String(r.ratio).padStart(6)} ${String(r.bytesPerState).padStart(8)} ${String(r.spinBytesPerState).padStart(13)} ${String(r.frontierBytesPerState).padStart(17)}` +
          (r.interpreterStatesPerSec ? `  interpreter ${r.interpreterStatesPerSec} st/s` : ''),
      );
    }
    console.log(`simulation: ${sim.simulationStepsPerSec} steps/s (two-phase commit, N = 5)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (mismatch) {
  process.stderr.write('bench: state counts differ between our explorer and Spin\n');
  process.exitCode = 1;
}

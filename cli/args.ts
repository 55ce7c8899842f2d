/** Command-line arguments, parsed without a library: a handful of commands and flags. */

import type { SeedInterval, ShardSpec } from '../engine/shard.js';

export type Command = 'check' | 'simulate' | 'explore' | 'diagram' | 'notebook' | 'merge';
export type Format = 'text' | 'json' | 'sarif';

export interface CliArgs {
  command: Command;
  files: string[];
  format: Format;
  runs: number | null;
  seed: number | null;
  steps: number | null;
  depth: number | null;
  maxStates: number | null;
  timeMs: number;
  /** Heap the exploration may use, in MB; null = half the machine. */
  maxMemoryMb: number | null;
  /** `--bitstate`: past the memory budget, go on as a bitstate search instead of stopping. */
  bitstate: boolean;
  /** `--workers N`: threads an exploration runs on (1 = this thread only). */
  workers: number;
  params: Map<string, number>;
  scenario: string | null;
  check: string | null;
  out: string | null;
  symmetry: boolean;
  verbose: boolean;
  /** `--window STEP±K` for diagrams. */
  window: { focus: number; radius: number } | null;
  /** `--seed-range A..B`: one simulation run (or with `explore --bitstate`, one swarm run) per seed, written as a shard result. */
  seedRange: SeedInterval | null;
  /** `--shard k/n` of the seed range (1/1 when only `--seed-range` is given). */
  shard: ShardSpec | null;
  /** `merge --allow-partial`: merge even when some seeds were run by no shard. */
  allowPartial: boolean;
}

export class UsageError extends Error {}

export const usage = `usage: faultline <command> FILE... [options]

commands:
  check FILE...       parse, check, and run every check block and scenario
  simulate FILE       random runs of each check and scenario
  explore FILE        exhaustive exploration of each check and scenario
  diagram FILE        a Mermaid sequence diagram of a scenario's (or check's) trace
  notebook run FILE.ftpnb   run every cell of a notebook and save the outputs in it (or in --out)
  merge RESULT.json...      combine shard results of simulate or explore --bitstate --seed-range (docs/scale-out.md)

options:
  --format text|json|sarif   output format (default text)
  --runs N --seed S --steps K   simulation bounds
  --seed-range A..B --shard k/n   simulate one run per seed of this shard's block of A..B and
                                write a shard result (JSON) to --out, or to stdout with --format json;
                                with explore --bitstate, one bitstate swarm run per seed (its filter:
                                80 % of --max-memory less what the process uses, as a power of two MiB)
  --allow-partial               merge even when some seeds were run by no shard (a warning each)
  --depth D --max-states M      exploration bounds
  --time MS                     time budget per run (default 60000; none with --seed-range)
  --max-memory MB               stop exploring when the process uses this much memory (default: half the machine)
  --workers N                   explore on N threads (default 1; same states, verdicts and
                                counterexample lengths as one)
  --bitstate                    at the memory budget, go on as a bitstate search (a Bloom filter:
                                memory stays fixed, a few states may be missed; coverage is estimated)
  --param NAME=VALUE            override a param (repeatable)
  --scenario NAME / --check NAME   select one run
  --out FILE                    write the diagram, the run notebook or the shard result to FILE
  --window STEP+-K              draw steps STEP-K..STEP+K of a long trace
  --no-symmetry                 explore without symmetry reduction
  --verbose                     also print hints and expected violations

exit codes: 0 clean, 1 errors or unexpected verdicts, 2 usage error`;

function whole(flag: string, value: string | undefined, min = 0): number {
  if (value === undefined || !/^-?\d+$/.test(value)) throw new UsageError(`${flag} needs a whole number`);
  const n = Number(value);
  if (n < min) throw new UsageError(`${flag} must be at least ${min}`);
  return n;
}

const maxSeed = 4294967295;

/** Sharding flags belong to `simulate --seed-range`, `explore --bitstate --seed-range` and `merge`, and replace the flags they would contradict. */
function checkShardFlags(args: CliArgs, timeGiven: boolean): void {
  if (args.shard !== null && args.seedRange === null) throw new UsageError('--shard needs --seed-range A..B');
  if (args.seedRange !== null) {
    if (args.command !== 'simulate' && !(args.command === 'explore' && args.bitstate)) throw new UsageError('--seed-range works with simulate only, or with explore --bitstate (a swarm run per seed)');
    if (args.runs !== null || args.seed !== null) throw new UsageError('--seed-range replaces --runs and --seed (one run per seed)');
    if (args.format === 'sarif') throw new UsageError('a shard result is JSON: use --format json or text');
    args.shard ??= { index: 1, count: 1 };
    // Asked-for seeds are all run unless a time budget is asked for too: a default budget
    // would quietly leave a large shard's last seeds out.
    if (!timeGiven) args.timeMs = Number.MAX_SAFE_INTEGER;
  }
  if (args.allowPartial && args.command !== 'merge') throw new UsageError('--allow-partial works with merge only');
  if (args.command === 'merge' && args.format === 'sarif') throw new UsageError('merge prints text or json');
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const [command, ...afterCommand] = argv;
  if (command === undefined || command === '--help' || command === '-h') throw new UsageError('no command given');
  if (command !== 'check' && command !== 'simulate' && command !== 'explore' && command !== 'diagram' && command !== 'notebook' && command !== 'merge') {
    throw new UsageError(`unknown command "${command}"`);
  }
  // `notebook` has one action so far: `notebook run FILE.ftpnb`.
  if (command === 'notebook' && afterCommand[0] !== 'run') {
    throw new UsageError(afterCommand[0] === undefined ? 'notebook needs an action: notebook run FILE.ftpnb' : `unknown notebook action "${afterCommand[0]}" (try: notebook run FILE.ftpnb)`);
  }
  const rest = command === 'notebook' ? afterCommand.slice(1) : afterCommand;
  let timeGiven = false;
  const args: CliArgs = {
    command,
    files: [],
    format: 'text',
    runs: null,
    seed: null,
    steps: null,
    depth: null,
    maxStates: null,
    timeMs: 60_000,
    maxMemoryMb: null,
    bitstate: false,
    workers: 1,
    params: new Map(),
    scenario: null,
    check: null,
    out: null,
    symmetry: true,
    verbose: false,
    window: null,
    seedRange: null,
    shard: null,
    allowPartial: false,
  };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') && !a.startsWith('--param=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--format': {
        const f = value();
        if (f !== 'text' && f !== 'json' && f !== 'sarif') throw new UsageError(`--format must be text, json or sarif, not "${f}"`);
        args.format = f;
        break;
      }
      case '--runs':
        args.runs = whole(flag, value(), 1);
        break;
      case '--seed':
        args.seed = whole(flag, value());
        break;
      case '--steps':
        args.steps = whole(flag, value(), 1);
        break;
      case '--depth':
        args.depth = whole(flag, value(), 0);
        break;
      case '--max-states':
        args.maxStates = whole(flag, value(), 1);
        break;
      case '--time':
        args.timeMs = whole(flag, value(), 1);
        timeGiven = true;
        break;
      case '--max-memory':
        args.maxMemoryMb = whole(flag, value(), 16);
        break;
      case '--bitstate':
        args.bitstate = true;
        break;
      case '--workers':
        args.workers = whole(flag, value(), 1);
        if (args.workers > 64) throw new UsageError('--workers must be at most 64');
        break;
      case '--param':
      case '--param=': {
        const v = a.startsWith('--param=') ? a.slice('--param='.length) : value();
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=(-?\d+)$/.exec(v);
        if (!m) throw new UsageError(`--param takes NAME=VALUE, like N=5`);
        args.params.set(m[1]!, Number(m[2]));
        break;
      }
      case '--scenario':
        args.scenario = value();
        break;
      case '--check':
        args.check = value();
        break;
      case '--out':
        args.out = value();
        break;
      case '--window': {
        const v = value();
        const m = /^(\d+)(?:(?:\+-|±)(\d+))?$/.exec(v);
        if (!m) throw new UsageError('--window takes STEP+-K, like 120+-20');
        args.window = { focus: Number(m[1]), radius: m[2] !== undefined ? Number(m[2]) : 25 };
        break;
      }
      case '--seed-range': {
        const m = /^(\d+)\.\.(\d+)$/.exec(value());
        if (!m) throw new UsageError('--seed-range takes A..B, like 1..1000');
        const range = { first: Number(m[1]), last: Number(m[2]) };
        if (range.last < range.first) throw new UsageError('--seed-range A..B needs A <= B');
        // Seeds are 32-bit: larger ones would alias smaller ones in the generator.
        if (range.last > maxSeed) throw new UsageError(`--seed-range seeds go up to ${maxSeed}`);
        args.seedRange = range;
        break;
      }
      case '--shard': {
        const m = /^(\d+)\/(\d+)$/.exec(value());
        if (!m) throw new UsageError('--shard takes k/n, like 2/4');
        const shard = { index: Number(m[1]), count: Number(m[2]) };
        if (shard.index < 1 || shard.index > shard.count) throw new UsageError('--shard k/n needs 1 <= k <= n');
        // Keeps the block arithmetic ((k-1)·L/n) exact in doubles.
        if (shard.count > 1_000_000) throw new UsageError('--shard k/n takes at most 1000000 shards');
        args.shard = shard;
        break;
      }
      case '--allow-partial':
        args.allowPartial = true;
        break;
      case '--no-symmetry':
        args.symmetry = false;
        break;
      case '--verbose':
      case '-v':
        args.verbose = true;
        break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option "${a}"`);
        args.files.push(a);
    }
  }
  if (args.files.length === 0) throw new UsageError(command === 'merge' ? 'merge needs at least one RESULT.json' : `${command} needs at least one FILE`);
  if (command !== 'check' && command !== 'merge' && args.files.length > 1) throw new UsageError(`${command} takes one FILE`);
  checkShardFlags(args, timeGiven);
  return args;
}

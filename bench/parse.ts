import { pathToFileURL } from 'node:url';
import { parseFtp } from '../language/syntax/parse.js';
import { lexFtp } from '../language/syntax/lexer.js';

/**
 * Parse speed: lex + parse + lower (and parse + check when the checker exists)
 * on generated protocols of 2,000 and 10,000 lines, reported as median ms,
 * lines per second, and a ratio to baselines measured in the same run, so the
 * numbers compare across machines:
 * - `tokenize-regex`: one sticky regex that splits the text into words,
 *   numbers and punctuation (the least any lexer must do);
 * - `json-parse`: `JSON.parse` of a JSON document of the same size.
 *
 * `node dist/bench/parse.js [--json]`: `--json` prints one JSON object per line.
 */

/** A protocol of about `lines` lines that uses every construct of the language. */
export function generateProtocol(lines: number): string {
  const out: string[] = ['protocol Generated', 'param N = 5', 'param f = 1', 'param Q = 2 * f + 1'];
  out.push('type Phase = INIT | WAIT | COMMIT | ABORT', 'type Value = 0..N-1');
  out.push('network async fifo reliable', 'quorum write Qw = 3 of Replica0', 'quorum read Qr = 3 of Replica0');
  for (let i = 0; ; i++) {
    const block = [
      `message Vote${i} { value: Value, round: 0..3, signed ok: bool }`,
      `message Decide${i} { commit: bool }`,
      `node Replica${i}[N] {`,
      '  stable state phase: Phase = INIT',
      '  state votes: set<Replica0> = {}',
      '  state log: seq<0..3> = []',
      '  state acks: map<Replica0, bool>',
      '  state round: 0..3 = 0',
      '  on start {',
      `    broadcast Vote${i}(value: 0, round: round, ok: true) to Replica0`,
      '    set timer t after 5',
      '  }',
      `  on Vote${i}(v, r, ok) from p when r == round and phase == INIT {`,
      '    votes += p',
      '    acks[p] = ok',
      '    if |votes| >= Q and not (p in votes) { phase = WAIT } else if r > 2 { round = 0 } else { round += 1 }',
      '    let total = count q in Replica0 where q.phase == COMMIT',
      `    send Decide${i}(total >= Q) to p`,
      '    choose { decide v } or { deliver v }',
      '    choose x in 0..3 { log += x }',
      '  }',
      '  on timeout t { cancel timer t; phase = ABORT }',
      `  on Decide${i}(c) { if c { phase = COMMIT } else { phase = ABORT } }`,
      '}',
      `invariant Agreement${i}: forall p in Replica0: forall q in Replica0: p.decided and q.decided implies p.decision == q.decision`,
      `eventually Termination${i} within 40: forall p in Replica0: correct(p) implies p.phase in {COMMIT, ABORT}`,
      `check Explore${i} explore {`,
      '  crash up to 1 of Replica0 and recover',
      `  drop up to 1 of Vote${i}`,
      '  depth 40; states 100000',
      `  expect Termination${i} holds`,
      '}',
      `scenario Crash${i} {`,
      `  crash Replica0[1] after receive Vote${i} from Replica0[2]`,
      '  partition {Replica0[1]} | {Replica0[2], Replica0[3]} from step 3 to step 8',
      `  expect Agreement${i} holds`,
      '}',
      '',
    ];
    if (out.length + block.length > lines) break;
    out.push(...block);
  }
  // Top up with params so the line count is exact and every block is complete.
  for (let k = 0; out.length < lines; k++) out.push(`param Extra${k} = ${k} + N`);
  return out.join('\n') + '\n';
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Times every function once per round, round after round, so a busy machine
 * slows all columns alike and the ratios stay meaningful. Returns each
 * column's samples in ms.
 */
function measureRounds(fns: Record<string, () => unknown>, rounds: number, warmup: number): Record<string, number[]> {
  const samples: Record<string, number[]> = {};
  for (const name of Object.keys(fns)) {
    samples[name] = [];
    samples[`${name}Cpu`] = [];
  }
  for (let round = -warmup; round < rounds; round++) {
    for (const [name, fn] of Object.entries(fns)) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      fn();
      const elapsed = performance.now() - start;
      const used = process.cpuUsage(cpu);
      if (round < 0) continue;
      samples[name]!.push(elapsed);
      // CPU time of the process (GC helper threads included): unlike wall time, it
      // does not grow while other processes hold the cores.
      samples[`${name}Cpu`]!.push((used.user + used.system) / 1000);
    }
  }
  return samples;
}

const wordPattern = /[A-Za-z_][A-Za-z0-9_]*|[0-9]+|\/\/[^\n]*|\S/y;

/** Baseline: the cheapest possible tokenizer. */
function regexTokenize(text: string): number {
  let count = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13) {
      i++;
      continue;
    }
    wordPattern.lastIndex = i;
    const match = wordPattern.exec(text);
    if (match === null) break;
    i += match[0].length;
    count++;
  }
  return count;
}

/** A JSON document of about the same size, as a second baseline. */
function equivalentJson(text: string): string {
  const lines = text.split('\n').map((line, index) => ({ index, words: line.split(/\s+/).filter((w) => w.length > 0) }));
  return JSON.stringify(lines);
}

type Analyze = (text: string) => unknown;

async function loadAnalyzer(): Promise<Analyze | null> {
  try {
    // The checker is optional: skip that column when it is not built.
    const path = '../language/analyze.js';
    const module: unknown = await import(path);
    if (typeof module === 'object' && module !== null && 'analyzeText' in module && typeof module.analyzeText === 'function') {
      const analyze = module.analyzeText;
      return (text: string) => analyze(text);
    }
  } catch {
    // Not there yet.
  }
  return null;
}

interface Row {
  lines: number;
  chars: number;
  tokens: number;
  diagnostics: number;
  /** Medians in ms (and the fastest parse, which noise cannot inflate). */
  lexMs: number;
  parseMs: number;
  parseMinMs: number;
  parseCpuMs: number;
  linesPerSecond: number;
  checkMs: number | null;
  regexTokenizeMs: number;
  jsonParseMs: number;
  ratioToRegexTokenize: number;
  ratioToJsonParse: number;
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const analyze = await loadAnalyzer();
  const rows: Row[] = [];
  for (const lines of [2000, 10000]) {
    const text = generateProtocol(lines);
    const jsonText = equivalentJson(text);
    const result = parseFtp(text);
    const lexed = lexFtp(text);
    const fns: Record<string, () => unknown> = {
      parse: () => parseFtp(text),
      lex: () => lexFtp(text),
      regex: () => regexTokenize(text),
      json: () => JSON.parse(jsonText),
    };
    if (analyze !== null) fns['check'] = () => analyze(text);
    const samples = measureRounds(fns, lines <= 2000 ? 60 : 20, lines <= 2000 ? 15 : 5);
    const parseMs = median(samples['parse']!);
    const regexMs = median(samples['regex']!);
    const jsonMs = median(samples['json']!);
    rows.push({
      lines,
      chars: text.length,
      tokens: lexed.tokens.length,
      diagnostics: result.diagnostics.length,
      lexMs: median(samples['lex']!),
      parseMs,
      parseMinMs: Math.min(...samples['parse']!),
      parseCpuMs: median(samples['parseCpu']!),
      linesPerSecond: Math.round((lines / parseMs) * 1000),
      checkMs: samples['check'] ? median(samples['check']) : null,
      regexTokenizeMs: regexMs,
      jsonParseMs: jsonMs,
      ratioToRegexTokenize: parseMs / regexMs,
      ratioToJsonParse: parseMs / jsonMs,
    });
  }
  if (json) {
    for (const row of rows) console.log(JSON.stringify({ bench: 'parse', ...row }));
    return;
  }
  const fixed = (n: number | null, digits = 2): string => (n === null ? 'skipped' : n.toFixed(digits));
  console.log('parse = lex + parse + lower: median wall ms of interleaved rounds, fastest round, median CPU ms; check = parse + check');
  console.log('lines   chars     tokens   lex ms  parse ms   min ms   cpu ms  lines/s    check ms  regex ms  json ms  x regex  x json');
  for (const r of rows) {
    console.log(
      [
        String(r.lines).padEnd(7),
        String(r.chars).padEnd(9),
        String(r.tokens).padEnd(8),
        fixed(r.lexMs).padStart(6),
        fixed(r.parseMs).padStart(9),
        fixed(r.parseMinMs).padStart(8),
        fixed(r.parseCpuMs).padStart(8),
        String(r.linesPerSecond).padStart(8),
        fixed(r.checkMs).padStart(11),
        fixed(r.regexTokenizeMs).padStart(9),
        fixed(r.jsonParseMs).padStart(8),
        fixed(r.ratioToRegexTokenize, 1).padStart(8),
        fixed(r.ratioToJsonParse, 1).padStart(7),
      ].join(' '),
    );
    if (r.diagnostics > 0) console.log(`  warning: the generated ${r.lines}-line protocol has ${r.diagnostics} diagnostics`);
  }
}

// Run only as a script, so tests and tools can import `generateProtocol`.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CompletionList } from 'vscode-languageserver/node.js';
import { analyzeText } from '../language/analyze.js';
import { LineIndex } from '../language/span.js';
import { LspClient } from '../test/support/lsp-client.js';
import { repoRoot } from '../test/support/repo.js';
import { generateProtocol } from './parse.js';

/**
 * The language server's latency, through a real connection to a spawned server
 * (`node dist/bench/lsp.js [--json]`):
 *
 * - `didChange -> diagnostics`: an edit of a generated 2,000-line file until the
 *   parse + check diagnostics of that version arrive (target: median < 50 ms);
 * - `first violation`: an edit of the two-phase-commit sample that makes a
 *   participant commit on its own, until the Atomicity violation arrives
 *   (debounce and exploration included; target < 1 s);
 * - `completion while exploring`: completion requests while a model with an
 *   endless state space is explored in the background (target: median < 50 ms),
 *   on the exploration worker alone and on two threads of its own
 *   (`faultline.explore.workers: 2`, which on two cores leaves the server none).
 *
 * The baseline is a trivial request (hover on a document that is not open)
 * measured on the same connection: the ratios compare across machines. A second
 * reference row times `analyzeText` on the same 2,000 lines in this process:
 * the part of the first figure that the adapter does not control.
 */

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

interface Row {
  bench: string;
  what: string;
  samples: number;
  medianMs: number;
  /** The fastest sample: what the machine can do when nothing else competes for it. */
  minMs: number;
  p95Ms: number;
  targetMs: number;
  met: boolean;
  ratioToBaseline: number;
}

/** `analyzeText` of the 2,000-line file in this process, interleaved with nothing else. */
function analyzeInProcess(rounds: number, warmup: number): number[] {
  const text = generateProtocol(2000);
  const out: number[] = [];
  for (let i = -warmup; i < rounds; i++) {
    const edited = i % 2 === 0 ? text : `${text} `;
    const start = performance.now();
    analyzeText(edited);
    if (i >= 0) out.push(performance.now() - start);
  }
  return out;
}

async function roundTrips(client: LspClient, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await client.request('textDocument/hover', { textDocument: { uri: 'file:///bench/not-open.ftp' }, position: { line: 0, character: 0 } });
    out.push(performance.now() - start);
  }
  return out;
}

/** Edits a 2,000-line file (a space added or removed at the end of its middle line) and waits for that version's diagnostics. */
async function didChangeToDiagnostics(client: LspClient, rounds: number, warmup: number): Promise<number[]> {
  const uri = 'file:///bench/generated-2000.ftp';
  const text = generateProtocol(2000);
  const lines = new LineIndex(text);
  await client.open(uri, text);
  await client.waitForDiagnostics(uri, 1);
  const middle = Math.floor(lines.lineCount / 2);
  const lineEnd = lines.offsetAt({ line: middle + 1, character: 0 }) - 1;
  const at = lines.positionAt(lineEnd);
  const out: number[] = [];
  for (let i = -warmup; i < rounds; i++) {
    const add = (i + warmup) % 2 === 0;
    const change = add
      ? { range: { start: at, end: at }, text: ' ' }
      : { range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: '' };
    const start = performance.now();
    const version = await client.change(uri, [change]);
    await client.waitForDiagnostics(uri, version);
    if (i >= 0) out.push(performance.now() - start);
  }
  await client.close(uri);
  return out;
}

/** Breaks Atomicity in the 2PC sample by an edit and waits for the violation diagnostic of that version. */
async function firstViolation(client: LspClient, rounds: number): Promise<number[]> {
  const uri = 'file:///bench/two-phase-commit.ftp';
  const sample = readFileSync(join(repoRoot(), 'samples', 'two-phase-commit.ftp'), 'utf8');
  const anchor = 'choose {\n      phase = READY';
  if (!sample.includes(anchor)) throw new Error('the 2PC sample no longer has the READY branch this bench edits');
  const broken = sample.replace(anchor, 'choose {\n      phase = COMMIT');
  await client.open(uri, sample);
  await client.waitForStatus(uri, 1, ['done', 'failed']);
  const out: number[] = [];
  // Round -1 warms the worker's JIT up; each round goes broken -> fixed.
  for (let i = -1; i < rounds; i++) {
    const start = performance.now();
    const version = await client.change(uri, broken);
    await client.waitForDiagnostics(uri, version, (p) => p.diagnostics.some((d) => d.code === 'FTP401'));
    if (i >= 0) out.push(performance.now() - start);
    const fixed = await client.change(uri, sample);
    await client.waitForStatus(uri, fixed, ['done', 'failed']);
  }
  await client.close(uri);
  return out;
}

const endless = `protocol Endless
param N = 6
message Tick
node Counter[N] {
  state x: 0..100000 = 0
  on start { set timer t after 1 }
  on timeout t {
    if x < 100000 { x = x + 1 }
    set timer t after 1
  }
}
invariant Bounded: forall p in Counter: p.x <= 100000
check explore { depth 1000000; states 1000000000 }
`;

/** Completion in another document while the worker explores a model that never ends. */
async function completionWhileExploring(client: LspClient, rounds: number, warmup: number): Promise<number[]> {
  const busy = 'file:///bench/endless.ftp';
  await client.open(busy, endless);
  await client.waitForStatus(busy, 1, ['running']);
  // Threads of a parallel search take about a second to start: measure once they explore.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const uri = 'file:///bench/completion.ftp';
  const text = readFileSync(join(repoRoot(), 'samples', 'two-phase-commit.ftp'), 'utf8');
  await client.open(uri, text);
  await client.waitForDiagnostics(uri, 1);
  const position = new LineIndex(text).positionAt(text.indexOf('send Vote(true)') + 5);
  const out: number[] = [];
  for (let i = -warmup; i < rounds; i++) {
    const start = performance.now();
    const list = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position });
    if (i >= 0) out.push(performance.now() - start);
    if (list.items.length === 0) throw new Error('no completion items');
  }
  const still = client.statuses.filter((s) => s.uri === busy && s.version === 1).map((s) => s.state);
  if (still.includes('done') || still.includes('cancelled')) throw new Error('the background exploration ended before the completions did');
  await client.close(busy);
  await client.close(uri);
  return out;
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const client = await LspClient.start({ settings: { explore: { timeBudgetMs: 600_000, maxStates: 1_000_000_000, maxDepth: 1_000_000 } } });
  const rows: Row[] = [];
  try {
    await roundTrips(client, 20);
    const baseline = await roundTrips(client, 100);
    const baseMs = median(baseline);
    const row = (bench: string, what: string, samples: number[], targetMs: number): Row => {
      const medianMs = median(samples);
      return { bench, what, samples: samples.length, medianMs, minMs: Math.min(...samples), p95Ms: percentile(samples, 0.95), targetMs, met: medianMs < targetMs, ratioToBaseline: medianMs / baseMs };
    };
    rows.push(row('baseline', 'trivial request round trip', baseline, Number.POSITIVE_INFINITY));
    rows.push(row('analyze-in-process', 'analyzeText in this process, 2,000 lines (reference)', analyzeInProcess(40, 10), Number.POSITIVE_INFINITY));
    rows.push(row('didChange-diagnostics', 'didChange -> parse/check diagnostics, 2,000 lines', await didChangeToDiagnostics(client, 40, 10), 50));
    rows.push(row('first-violation', 'didChange -> first violation, 2PC sample (300 ms debounce included)', await firstViolation(client, 7), 1000));
    rows.push(row('completion-exploring', 'completion while exploring in the background', await completionWhileExploring(client, 60, 10), 50));
    const threaded = await LspClient.start({ settings: { explore: { timeBudgetMs: 600_000, maxStates: 1_000_000_000, maxDepth: 1_000_000, workers: 2 } } });
    try {
      rows.push(row('completion-exploring-2-threads', 'completion while exploring in the background on 2 threads', await completionWhileExploring(threaded, 60, 10), 50));
    } finally {
      await threaded.stop();
    }
  } finally {
    await client.stop();
  }
  if (json) {
    for (const r of rows) console.log(JSON.stringify({ ...r, targetMs: Number.isFinite(r.targetMs) ? r.targetMs : null }));
    return;
  }
  const cell = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-');
  console.log('language server latency through a real LSP connection (ms; ratio = median / trivial round trip)');
  console.log(`${'what'.padEnd(70)} ${'n'.padStart(4)} ${'median'.padStart(8)} ${'min'.padStart(8)} ${'p95'.padStart(8)} ${'target'.padStart(7)} ${'ratio'.padStart(7)}  met`);
  for (const r of rows) {
    console.log(
      `${r.what.padEnd(70)} ${String(r.samples).padStart(4)} ${cell(r.medianMs).padStart(8)} ${cell(r.minMs).padStart(8)} ${cell(r.p95Ms).padStart(8)} ${(Number.isFinite(r.targetMs) ? `<${r.targetMs}` : '-').padStart(7)} ${r.ratioToBaseline.toFixed(1).padStart(7)}  ${Number.isFinite(r.targetMs) ? (r.met ? 'yes' : 'NO') : ''}`,
    );
  }
}

await main();

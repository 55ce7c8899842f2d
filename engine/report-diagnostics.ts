import type { Diagnostic, RelatedInfo } from '../language/diagnostic.js';
import { diagnostic } from '../language/diagnostic.js';
import { describeStep } from './describe-step.js';
import type { RunReport, Verdict } from './run-check.js';

/** What a run found, as diagnostics on the source: one per unexpected verdict, bound or unfired fault. */
export function reportDiagnostics(report: RunReport): Diagnostic[] {
  const out: Diagnostic[] = [...report.diagnostics];
  const where = runLabel(report);
  for (const v of report.verdicts) {
    if (v.ok) {
      if (v.outcome === 'violated') {
        out.push(diagnostic(v.kind === 'eventually' ? 'FTP402' : 'FTP401', 'hint', `${v.property} is violated ${where}, as expected (${stepsText(v)})`, v.nameSpan, related(v)));
      }
      continue;
    }
    if (v.outcome === 'violated') {
      if (v.kind === 'runtime-error') {
        out.push(diagnostic('FTP405', 'error', `${v.message} ${where} (${stepsText(v)})`, v.span, related(v)));
        continue;
      }
      const code = v.kind === 'eventually' ? 'FTP402' : 'FTP401';
      const seed = v.seed !== null ? `, seed ${v.seed}` : '';
      out.push(diagnostic(code, 'error', `${v.property} is violated ${where}: ${stepsText(v)}${seed}`, v.nameSpan, related(v)));
      if (v.expectationSpan) {
        out.push(diagnostic('FTP403', 'error', `expected ${v.property} to hold ${where}, but it is violated`, v.expectationSpan, [{ span: v.nameSpan, message: v.property }]));
      }
    } else {
      const why =
        v.outcome === 'holds'
          ? `it holds in all ${report.explore?.states ?? 0} reachable states`
          : `no violation was found (${statusText(report)})`;
      out.push(diagnostic('FTP403', 'error', `expected ${v.property} to be violated ${where}, but ${why}`, v.expectationSpan ?? v.nameSpan, [{ span: v.nameSpan, message: v.property }]));
    }
  }
  if (report.mode === 'explore' && report.status !== 'complete' && report.runKind !== 'none') {
    const how = report.status === 'bitstate' ? 'exploration may have missed states' : 'exploration stopped early';
    out.push(diagnostic('FTP404', 'information', `${capitalise(where)}: ${how} (${statusText(report)}); properties not violated so far are not proven`, report.span));
  }
  for (const u of report.unfired) {
    out.push(diagnostic('FTP406', 'warning', `the scripted fault "${u.label}" never happened ${where}`, u.span));
  }
  return out;
}

/** A coverage estimate as a percentage that never rounds up to a full 100 %. */
export function coverageText(coverage: number): string {
  const percent = Math.floor(coverage * 10000) / 100;
  return `${percent.toFixed(2)} %`;
}

export function runLabel(report: RunReport): string {
  if (report.runKind === 'scenario') return `in scenario ${report.run}`;
  if (report.runKind === 'check') return report.run.startsWith('check ') ? `in ${report.run}` : `in check ${report.run}`;
  return 'when exploring';
}

function stepsText(v: Verdict): string {
  const n = v.trace?.steps.length ?? 0;
  const loop = v.trace?.violation?.loopStart;
  if (loop !== undefined) return `a run that never ends (${loop} step${loop === 1 ? '' : 's'}, then a ${n - loop}-step cycle forever)`;
  if (n === 0) return 'in an initial state';
  // "an 8-step", "an 11-step", "an 18-step": the article follows the spoken number.
  const article = /^(8|11|18)(\d{3})*$/.test(String(n)) || /^8/.test(String(n)) ? 'an' : 'a';
  return `${article} ${n}-step counterexample`;
}

export function statusText(report: RunReport): string {
  const e = report.explore;
  switch (report.status) {
    case 'complete':
      return report.mode === 'simulate' ? `${report.simulate?.runs ?? 0} random runs` : 'complete';
    case 'limit-depth':
      return `depth bound ${e?.depth ?? '?'} reached after ${e?.states ?? 0} states`;
    case 'limit-states':
      return `state bound reached at ${e?.states ?? 0} states`;
    case 'limit-time':
      return `time budget spent after ${e?.states ?? report.simulate?.runs ?? 0} ${e ? 'states' : 'runs'}`;
    case 'bitstate':
      return `the memory budget was reached after ${e?.bitstate?.exactStates ?? 0} states; a bitstate search in ${((e?.bitstate?.bytes ?? 0) / 1048576).toFixed(1)} MB went on to the end, covering about ${coverageText(e?.bitstate?.coverage ?? 0)} of the states${(e?.bitstate?.finalMissChance ?? 0) > 0.01 ? ' at most (the filter filled up: a larger memory budget covers more)' : ''}`;
    case 'limit-memory':
      return `memory budget reached after ${e?.states ?? 0} states, every level to depth ${e?.depth ?? 0} complete${e?.bitstate ? '' : '; bitstate mode can go on within it'}`;
    case 'stopped':
      return 'stopped';
  }
}

function related(v: Verdict): RelatedInfo[] {
  const out: RelatedInfo[] = [];
  if (!v.trace) return out;
  for (const step of v.trace.steps) {
    const span = step.handler ?? step.fault?.span ?? step.error?.span;
    if (span) out.push({ span, message: describeStep(step) });
    if (step.fault && step.handler) out.push({ span: step.fault.span, message: `step ${step.index}: ${step.fault.label}` });
  }
  return out;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

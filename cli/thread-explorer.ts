import type { CheckedModel } from '../language/check/model.js';
import { runSources } from '../engine/compile.js';
import { exploreStates } from '../engine/explore.js';
import { parallelJob } from '../engine/explore-parallel.js';
import type { Explorer } from '../engine/run-check.js';
import type { RunSource } from '../engine/system.js';
import { exploreOnThreads } from '../threads/explore-parallel.js';
import type { CliArgs } from './args.js';

/**
 * The explorer of `--workers N`: each thread rebuilds the run from the file's
 * text (a compiled system holds closures and cannot cross threads). A bitstate
 * search is depth-first and stays on this thread. The CLI's memory figure is the
 * process's resident set, which the worker threads are part of.
 */
export function threadExplorer(text: string, model: CheckedModel, source: RunSource, args: CliArgs): Explorer {
  const job = parallelJob(text, runSources(model).indexOf(source), { params: args.params, symmetry: args.symmetry });
  return (sys, limits) => (limits.bitstate ? Promise.resolve(exploreStates(sys, limits)) : exploreOnThreads(job, limits, { workers: args.workers, memoryUsedCoversWorkers: true }));
}

import assert from 'node:assert/strict';
import type { ShardResult } from '../../engine/shard.js';
import type { Ran } from './cli-process.js';
import { runCli, startCli } from './cli-process.js';

/** What must not depend on how the seeds were split: all but timing and which shards ran. */
export function comparable(r: ShardResult): Omit<ShardResult, 'elapsedMs' | 'shards'> {
  const { elapsedMs: _elapsed, shards: _shards, ...rest } = r;
  return rest;
}

/**
 * Runs `faultline ARGS --shard k/4` for k = 1..4 as four processes at once (writing
 * `outs[k-1]`), the same run unsharded (`ARGS WHOLE`), and `faultline merge` of the
 * four; checks every process succeeded and the merge equals the unsharded run.
 */
export async function shardsAgainstWhole(args: readonly string[], outs: readonly string[], whole: readonly string[] = []): Promise<{ shards: Ran[]; one: ShardResult; all: ShardResult }> {
  const shards = await Promise.all(outs.map((out, i) => startCli(...args, '--shard', `${i + 1}/${outs.length}`, '--format', 'json', '--out', out)));
  for (const s of shards) assert.equal(s.code, 0, s.stderr);
  const unsharded = runCli(...args, ...whole, '--format', 'json');
  assert.equal(unsharded.code, 0, unsharded.stderr);
  const merged = runCli('merge', ...outs, '--format', 'json');
  assert.equal(merged.code, 0, merged.stderr);
  assert.equal(merged.stderr, '');

  const one = JSON.parse(unsharded.stdout) as ShardResult;
  const all = JSON.parse(merged.stdout) as ShardResult;
  assert.deepEqual(comparable(all), comparable(one));
  assert.deepEqual(
    all.shards,
    outs.map((_, i) => ({ index: i + 1, count: outs.length })),
  );
  return { shards, one, all };
}

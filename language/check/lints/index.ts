import type { Diagnostic } from '../../diagnostic.js';
import { lintByzantineQuorums } from './byzantine-quorums.js';
import { lintByzantineReplicas } from './byzantine-replicas.js';
import { lintCrashReplicas } from './crash-replicas.js';
import type { Lint, LintInput } from './lint.js';
import { lintQuorumIntersection } from './quorum-intersection.js';
import { lintUnhandledMessages } from './unhandled-message.js';
import { lintUnreachableHandlers } from './unreachable-handler.js';
import { lintUnusedDeclarations } from './unused-declarations.js';

/** Every resilience lint, one per file; each returns warnings and never throws. */
export const lints: readonly Lint[] = [
  lintUnhandledMessages,
  lintUnreachableHandlers,
  lintCrashReplicas,
  lintByzantineReplicas,
  lintQuorumIntersection,
  lintByzantineQuorums,
  lintUnusedDeclarations,
];

export function runLints(input: LintInput): Diagnostic[] {
  return lints.flatMap((lint) => lint(input));
}

/**
 * Every diagnostic code, documented once. 1xx syntax, 2xx names and types,
 * 3xx lints, 4xx verdicts of simulation and exploration. `docs/diagnostics.md`
 * is generated from the same table (a test keeps them in step).
 */
export const diagnosticCodes = {
  FTP100: 'The file cannot be read as text (binary content or too large).',
  FTP101: 'A character that is not part of the language.',
  FTP102: 'The parser expected something else here.',
  FTP103: 'The file does not start with `protocol NAME`.',
  FTP104: 'A number literal too large to represent.',
  FTP201: 'A name that is not declared in this scope.',
  FTP202: 'A message name that is not declared.',
  FTP203: 'A node role that is not declared.',
  FTP204: 'A message field or node state that does not exist.',
  FTP205: 'A timer that is never set in this role.',
  FTP206: 'A name declared twice in the same scope.',
  FTP207: 'Wrong number of message arguments or handler parameters.',
  FTP208: 'A value of the wrong type.',
  FTP209: 'An assignment to something that is not a state variable.',
  FTP210: 'A parameter used where it cannot be: assigned, not constant, or not a whole number.',
  FTP211: 'An `expect` or `check` that names an unknown property.',
  FTP212: 'A type name that is not declared.',
  FTP213: 'A setting that does not belong in this block, or is given twice.',
  FTP214: 'A nondeterministic value (`any`, `choose`, Byzantine) over a type with no finite range.',
  FTP215: 'An expression that is not allowed in this context.',
  FTP216: 'A network declared twice, or a `sync` network without a positive bound.',
  FTP301: 'A message sent to a role that has no handler for it.',
  FTP302: 'A handler that can never run.',
  FTP303: 'Tolerating k crashes needs at least k+1 replicas.',
  FTP304: 'Masking k arbitrary (Byzantine) failures by voting needs at least 2k+1 replicas.',
  FTP305: 'Byzantine agreement with f traitors needs at least 3f+1 nodes.',
  FTP306: 'Quorums that need not intersect: Qr + Qw <= N or 2·Qw <= N.',
  FTP307: 'Under f Byzantine nodes, quorums must intersect in at least f+1 nodes.',
  FTP308: 'A declaration that is never used.',
  FTP401: 'An invariant is violated in a reachable state.',
  FTP402: 'An `eventually` property does not hold at the end of some run.',
  FTP403: 'A scenario or check expectation was not met.',
  FTP404: 'Exploration or simulation stopped at a bound before it covered every state.',
  FTP405: 'A handler failed at run time (value out of its range, bad index, division by zero).',
  FTP406: 'A scripted fault never fired.',
  FTP407: 'A run cannot start: a node count, range or map key type the engine cannot lay out, or an initial value outside its type.',
} as const;

export type DiagnosticCode = keyof typeof diagnosticCodes;

export function codeDescriptionUrl(code: DiagnosticCode): string {
  return `https://faultline.dev/docs/diagnostics#${code.toLowerCase()}`;
}

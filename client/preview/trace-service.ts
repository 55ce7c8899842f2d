import type { TracesParams, TracesResult } from '../../protocol/lsp.js';

/**
 * Where the preview gets traces: the language server's `faultline/traces`, or
 * the same answer computed in the extension host while no server gives one
 * (none is built, or an older one does not know the request). No `vscode` import.
 */
export interface TraceService<Token = never> {
  /** `token` cancels the server's work (a newer edit made the answer useless). */
  traces(params: TracesParams, token?: Token): Promise<TracesResult>;
  /** Where the last answer came from. */
  readonly source: 'server' | 'local' | null;
}

export interface TraceServiceDeps<Token> {
  /** Sends `faultline/traces` to the server; null while no server runs. */
  request: () => ((params: TracesParams, token?: Token) => Promise<TracesResult>) | null;
  /** Computes the answer here. */
  local: (params: TracesParams) => Promise<TracesResult> | TracesResult;
  log: (message: string) => void;
}

const methodNotFound = -32601;
const requestCancelled = -32800;

function errorCode(e: unknown): number | null {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'number' ? e.code : null;
}

export function createTraceService<Token = never>(deps: TraceServiceDeps<Token>): TraceService<Token> {
  let serverKnowsTraces = true;
  let source: 'server' | 'local' | null = null;
  return {
    get source() {
      return source;
    },
    async traces(params, token) {
      const request = serverKnowsTraces ? deps.request() : null;
      if (request) {
        try {
          const answer = await request(params, token);
          source = 'server';
          return answer;
        } catch (e) {
          const code = errorCode(e);
          if (code === requestCancelled) throw e;
          if (code === methodNotFound) {
            serverKnowsTraces = false;
            deps.log('the language server does not answer faultline/traces: traces are computed in the extension host');
          } else {
            deps.log(`faultline/traces failed (${e instanceof Error ? e.message : String(e)}): computing the traces here`);
          }
        }
      }
      source = 'local';
      return deps.local(params);
    },
  };
}

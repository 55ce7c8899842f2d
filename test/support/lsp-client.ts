import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver/node.js';
import { runStatusNotification, type ExplorationState, type RunStatusParams } from '../../protocol/lsp.js';
import { repoRoot } from './repo.js';

/**
 * A real LSP client for tests and benchmarks: spawns the compiled server
 * (`node dist/server/main.js --stdio`) and talks JSON-RPC over its stdio.
 * Waiting is always for an event (a `publishDiagnostics` of a version, a
 * `faultline/runStatus`), never for time; a wait has a generous timeout only so
 * a broken server fails the test instead of hanging it.
 */

interface Waiter<T> {
  match: (value: T) => boolean;
  resolve: (value: T) => void;
}

export interface StartOptions {
  /** `faultline` settings passed as initialization options. */
  settings?: unknown;
}

export class LspClient {
  readonly diagnostics: PublishDiagnosticsParams[] = [];
  readonly statuses: RunStatusParams[] = [];
  readonly logs: string[] = [];
  exitCode: number | null | undefined = undefined;
  private readonly diagnosticWaiters: Waiter<PublishDiagnosticsParams>[] = [];
  private readonly statusWaiters: Waiter<RunStatusParams>[] = [];
  private readonly versions = new Map<string, number>();

  private constructor(
    readonly connection: MessageConnection,
    readonly child: ChildProcess,
  ) {}

  static async start(options: StartOptions = {}): Promise<LspClient> {
    const script = join(repoRoot(), 'dist', 'server', 'main.js');
    const child = spawn(process.execPath, [script, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(connection, child);
    child.on('exit', (code) => {
      client.exitCode = code;
    });
    child.stderr!.on('data', (chunk: Buffer) => client.logs.push(chunk.toString()));
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      client.diagnostics.push(params);
      client.settle(client.diagnosticWaiters, params);
    });
    connection.onNotification(runStatusNotification, (params: RunStatusParams) => {
      client.statuses.push(params);
      client.settle(client.statusWaiters, params);
    });
    connection.onNotification('window/logMessage', (params: { message: string }) => client.logs.push(params.message));
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('workspace/configuration', () => [null]);
    connection.listen();
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } } },
      initializationOptions: options.settings === undefined ? {} : { settings: options.settings },
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  private settle<T>(waiters: Waiter<T>[], value: T): void {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if (w.match(value)) {
        waiters.splice(i, 1);
        w.resolve(value);
      }
    }
  }

  private wait<T>(seen: readonly T[], waiters: Waiter<T>[], match: (value: T) => boolean, what: string, timeoutMs: number): Promise<T> {
    const already = seen.find(match);
    if (already !== undefined) return Promise.resolve(already);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = waiters.indexOf(waiter);
        if (i >= 0) waiters.splice(i, 1);
        reject(new Error(`timed out waiting for ${what}; server log:\n${this.logs.join('').slice(-2000)}`));
      }, timeoutMs);
      const waiter: Waiter<T> = {
        match,
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
      };
      waiters.push(waiter);
    });
  }

  /** The first `publishDiagnostics` for this version of the document (that satisfies `match`). */
  waitForDiagnostics(uri: string, version: number, match: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 30_000): Promise<PublishDiagnosticsParams> {
    return this.wait(this.diagnostics, this.diagnosticWaiters, (p) => p.uri === uri && p.version === version && match(p), `diagnostics of ${uri} v${version}`, timeoutMs);
  }

  /** The next `publishDiagnostics` of a document that carries no version: the empty list sent when it is closed. */
  waitForCleared(uri: string, timeoutMs = 30_000): Promise<PublishDiagnosticsParams> {
    const seen = this.diagnostics.length;
    return this.wait([], this.diagnosticWaiters, (p) => p.uri === uri && p.version === undefined && this.diagnostics.indexOf(p) >= seen, `cleared diagnostics of ${uri}`, timeoutMs);
  }

  /** The `faultline/runStatus` of this version in one of `states`. */
  waitForStatus(uri: string, version: number, states: readonly ExplorationState[], timeoutMs = 60_000): Promise<RunStatusParams> {
    return this.wait(this.statuses, this.statusWaiters, (p) => p.uri === uri && p.version === version && states.includes(p.state), `status ${states.join('|')} of ${uri} v${version}`, timeoutMs);
  }

  /** The last diagnostics published for a version (after its status is final, these are final). */
  lastDiagnostics(uri: string, version: number): PublishDiagnosticsParams | undefined {
    for (let i = this.diagnostics.length - 1; i >= 0; i--) {
      const p = this.diagnostics[i]!;
      if (p.uri === uri && p.version === version) return p;
    }
    return undefined;
  }

  /** Opens a document and waits for its final diagnostics (after exploration, or once it is skipped). */
  async open(uri: string, text: string, version = 1): Promise<void> {
    this.versions.set(uri, version);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'ftp', version, text } });
  }

  /** Sends one change (a full text, or incremental edits); returns the new version. */
  async change(uri: string, change: string | TextDocumentContentChangeEvent[]): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    const contentChanges = typeof change === 'string' ? [{ text: change }] : change;
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
    return version;
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  /** Whether the server process is still running. */
  get alive(): boolean {
    return this.exitCode === undefined;
  }

  /** `shutdown` + `exit`, then makes sure the process is gone. */
  async stop(): Promise<void> {
    if (this.alive) {
      try {
        await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 5000))]);
        await this.connection.sendNotification('exit');
      } catch {
        // The process may already be gone.
      }
    }
    const exited = new Promise<void>((resolve) => {
      if (!this.alive) resolve();
      else this.child.once('exit', () => resolve());
    });
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
    this.connection.dispose();
  }
}

/**
 * The host's side of an SVG export that draws the whole trace in the page: the
 * page reports chunks drawn (`exportProgress`), VS Code's progress notification
 * wants increments in percent. No `vscode` import, so it is tested as it is.
 */
export interface ProgressStep {
  /** Open a notification (the first report of an export). */
  open: boolean;
  /** Percent to add to the bar. */
  increment: number;
  message: string;
  /** Close the notification: the export finished, failed or was cancelled. */
  close: boolean;
}

export class ExportProgress {
  private shown: number | null = null;

  /** What to do with the notification for one report from the page. */
  report(state: 'running' | 'done' | 'cancelled' | 'failed', done: number, total: number): ProgressStep {
    const open = this.shown === null && state === 'running';
    const before = this.shown ?? 0;
    const now = total > 0 ? Math.min(100, (100 * Math.min(done, total)) / total) : 0;
    const close = state !== 'running';
    this.shown = close ? null : now;
    const message = state === 'running' ? `${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} chunks` : state;
    return { open, increment: Math.max(0, now - before), message, close };
  }

  /** Whether a notification is open. */
  get active(): boolean {
    return this.shown !== null;
  }
}

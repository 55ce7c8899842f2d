// A real VS Code for the end-to-end suite: code-server 4.100.3 (the VS Code 1.100.3
// workbench served to the browser, with a Node extension host) on 127.0.0.1, our .vsix
// installed into a fresh extensions dir, driven by headless Debian Chromium through
// playwright-core. Every session gets its own temp root (workspace, user data,
// extensions, HOME, TMPDIR, browser profile) and is torn down by killing the
// code-server process group it started.
//
// Env: E2E_VSIX (default <repo>/faultline.vsix), E2E_RESULTS (screenshots, logs,
// metrics; default test/e2e-vscode/results), CODE_SERVER_BIN, CHROMIUM_BIN
// (default /usr/bin/chromium), E2E_KEEP=1 keeps the temp root.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');
export const RESULTS = process.env.E2E_RESULTS ?? path.join(HERE, 'results');
const CODE_SERVER = process.env.CODE_SERVER_BIN ?? path.join(HERE, 'node_modules', '.bin', 'code-server');
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const VSIX = process.env.E2E_VSIX ?? path.join(REPO, 'faultline.vsix');
const KEEP = process.env.E2E_KEEP === '1';
export const EXTENSION_ID = 'faultline.faultline';

/** Default wait for UI state. Generous: CI machines are shared; a real hang still fails. */
export const UI_TIMEOUT = 30_000;

const userSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.enabled': false,
  'chat.disableAIFeatures': true,
  'editor.minimap.enabled': false,
  'editor.lightbulb.enabled': 'on',
  'files.autoSave': 'off',
  // The background runs of a sample take about a second on an idle machine; a shared
  // CI machine must not turn that into an FTP404 "stopped early" note in Problems.
  'faultline.explore.timeBudgetMs': 20_000,
};

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** pid -> ppid of every live process. */
function processTable() {
  const table = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      table.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* exited */
    }
  }
  return table;
}

function descendants(rootPid) {
  const table = processTable();
  const out = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of table) if (out.has(ppid) && !out.has(pid)) (out.add(pid), (grew = true));
  }
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `#91;` -> `[`: Mermaid's entity codes, as the CLI prints them. */
export const mermaidDecode = (s) => s.replace(/#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)));

/**
 * One VS Code: a code-server and a browser page on it. `start(name)` makes the
 * fresh dirs, installs the .vsix, starts both; `stop()` tears everything down.
 */
export class VsCode {
  constructor(name) {
    this.name = name;
    this.timings = {};
    this.consoleErrors = [];
    this.serverLog = '';
    this.currentStep = null;
  }

  async start({ files = [] } = {}) {
    assert.ok(fs.existsSync(CODE_SERVER), `code-server not found at ${CODE_SERVER}: run test/e2e-vscode/setup.sh`);
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} not found: apt-get install chromium (setup.sh does)`);
    assert.ok(fs.existsSync(VSIX), `${VSIX} not found: npm run package`);
    const t0 = performance.now();
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), `faultline-e2e-${this.name}-`));
    this.workspace = path.join(this.root, 'workspace');
    const dirs = {
      userData: path.join(this.root, 'user-data'),
      extensions: path.join(this.root, 'extensions'),
      home: path.join(this.root, 'home'),
      tmp: path.join(this.root, 'tmp'),
      profile: path.join(this.root, 'chromium-profile'),
    };
    this.dirs = dirs;
    for (const d of [this.workspace, ...Object.values(dirs), path.join(dirs.userData, 'User')]) fs.mkdirSync(d, { recursive: true });
    for (const f of files) {
      const to = path.join(this.workspace, f);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(path.join(REPO, f), to);
    }
    fs.writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify(userSettings, null, 2));
    this.port = await freePort();
    const config = path.join(this.root, 'config.yaml');
    fs.writeFileSync(config, `bind-addr: 127.0.0.1:${this.port}\nauth: none\ncert: false\n`);
    // Nothing may land in the real home, config or temp dirs.
    this.env = {
      ...process.env,
      HOME: dirs.home,
      XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
      XDG_DATA_HOME: path.join(dirs.home, '.local', 'share'),
      XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
      TMPDIR: dirs.tmp,
    };
    const common = ['--config', config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];

    let t = performance.now();
    const installed = execFileSync(CODE_SERVER, [...common, '--install-extension', VSIX, '--force'], { env: this.env, encoding: 'utf8' });
    assert.match(installed, /successfully installed/i, installed);
    const listed = execFileSync(CODE_SERVER, [...common, '--list-extensions', '--show-versions'], { env: this.env, encoding: 'utf8' });
    assert.match(listed, /^faultline\.faultline@/m, `our extension is not installed:\n${listed}`);
    this.timings.installVsixMs = Math.round(performance.now() - t);

    t = performance.now();
    this.server = spawn(
      CODE_SERVER,
      [...common, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened', this.workspace],
      { env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }, // detached: its own process group
    );
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`code-server did not start:\n${this.serverLog}`)), 60_000);
      const onData = (buf) => {
        this.serverLog += buf.toString();
        if (this.serverLog.includes('HTTP server listening on')) {
          clearTimeout(timer);
          resolve();
        }
      };
      this.server.stdout.on('data', onData);
      this.server.stderr.on('data', onData);
      this.server.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`code-server exited with ${code}:\n${this.serverLog}`));
      });
    });
    this.server.removeAllListeners('exit');
    this.timings.serverReadyMs = Math.round(performance.now() - t);

    t = performance.now();
    this.context = await chromium.launchPersistentContext(dirs.profile, {
      executablePath: CHROMIUM,
      headless: true,
      env: this.env,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1440, height: 900 },
    });
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
    this.page.setDefaultTimeout(UI_TIMEOUT);
    this.page.on('console', (m) => {
      if (m.type() === 'error') this.consoleErrors.push(m.text());
    });
    this.timings.browserLaunchMs = Math.round(performance.now() - t);

    t = performance.now();
    await this.page.goto(`http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(this.workspace)}`);
    await this.page.locator('.monaco-workbench').waitFor();
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor();
    this.timings.workbenchMs = Math.round(performance.now() - t);
    this.timings.startMs = Math.round(performance.now() - t0);
  }

  async stop() {
    await this.context?.close().catch(() => {});
    if (this.server?.pid) {
      // Only what we started: code-server's process group (server, extension host,
      // our language server and its workers, file watcher, pty host).
      try {
        process.kill(-this.server.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && descendants(this.server.pid).size > 1) await sleep(100);
      try {
        process.kill(-this.server.pid, 'SIGKILL');
      } catch {
        /* all gone */
      }
    }
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.writeFileSync(path.join(RESULTS, `${this.name}-code-server.log`), this.serverLog);
    if (!KEEP && this.root) fs.rmSync(this.root, { recursive: true, force: true });
  }

  // ---- reporting --------------------------------------------------------

  async screenshot(name) {
    fs.mkdirSync(RESULTS, { recursive: true });
    const file = path.join(RESULTS, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** A named step: a failure says which step it was. */
  async step(name, fn) {
    this.currentStep = name;
    try {
      return await fn();
    } catch (err) {
      const e = new Error(`step "${name}" failed: ${err?.message ?? err}`);
      e.cause = err;
      throw e;
    }
  }

  /**
   * A test body: on failure, a screenshot, the VS Code logs (user-data/logs: the
   * window, the extension host, every output channel including ours) and the
   * code-server output go to results/FAILED-<name>*, and the error names the step.
   */
  async test(name, fn) {
    const t = performance.now();
    try {
      await fn();
      await this.page.mouse.move(0, 0); // no tooltip from where the last click was
      await this.screenshot(name);
    } catch (err) {
      fs.mkdirSync(RESULTS, { recursive: true });
      await this.screenshot(`FAILED-${name}`).catch(() => {});
      const logs = path.join(RESULTS, `FAILED-${name}-logs`);
      try {
        fs.rmSync(logs, { recursive: true, force: true });
        fs.cpSync(path.join(this.dirs.userData, 'logs'), logs, { recursive: true });
        fs.writeFileSync(path.join(logs, 'code-server.log'), this.serverLog);
        fs.writeFileSync(path.join(logs, 'browser-console-errors.txt'), this.consoleErrors.join('\n'));
      } catch {
        /* no logs yet */
      }
      console.error(`FAILED ${this.name} / ${name} at step "${this.currentStep}": screenshot and logs in ${path.relative(process.cwd(), RESULTS)}/FAILED-${name}*`);
      throw err;
    } finally {
      this.timings[`test:${name}`] = Math.round(performance.now() - t);
    }
  }

  writeMetrics(extra = {}) {
    fs.mkdirSync(RESULTS, { recursive: true });
    const report = { timings: this.timings, ...extra, consoleErrors: this.consoleErrors.slice(0, 30) };
    fs.writeFileSync(path.join(RESULTS, `${this.name}-metrics.json`), JSON.stringify(report, null, 2));
    process.stderr.write(`# ${this.name} timings: ${JSON.stringify(this.timings)}\n`);
  }

  // ---- the workbench, as a user drives it ------------------------------

  /** F1, then text into the quick input (`>command`, `:line:col`, a file name). */
  async quickInput(text) {
    const input = this.page.locator('.quick-input-widget input.input');
    if (!(await input.isVisible())) await this.page.keyboard.press('F1');
    await input.waitFor();
    await input.fill(text);
    return input;
  }

  /** Runs a command from the palette by its exact title. */
  async command(title) {
    await this.quickInput(`>${title}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(title)}$`) }) });
    await row.first().waitFor();
    await row.first().click();
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  /** Quick Open: a workspace file by name. */
  async openFile(name) {
    await this.quickInput(name);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: name });
    await row.first().waitFor();
    await row.first().click();
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  /** Go to Line/Column (1-based) in the active editor and wait for the cursor to be there. */
  async goto(line, column = 1) {
    await this.quickInput(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await this.waitForCursor(line, column);
  }

  cursorStatus() {
    return this.page.locator('[id="status.editor.selection"]');
  }

  async waitForCursor(line, column) {
    const want = column === undefined ? new RegExp(`Ln ${line},`) : new RegExp(`Ln ${line}, Col ${column}\\b`);
    await expectText(this.cursorStatus(), want);
  }

  /** Focuses the editor of the first group (its cursor and selection stay). */
  async focusEditor() {
    await this.page.keyboard.press('Control+1');
    await this.page.locator('.editor-group-container.active .monaco-editor.focused').first().waitFor();
  }

  activeEditor() {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** The rendered text of line `n` (1-based) of the editor, by scrolling it into view. */
  async lineText(n) {
    await this.goto(n, 1);
    const line = this.activeEditor().locator('.view-overlays .current-line');
    await line.first().waitFor();
    const top = await line.first().evaluate((el) => el.parentElement.style.top);
    return (await this.activeEditor().locator(`.view-lines .view-line[style*="top:${top};"], .view-lines .view-line[style*="top: ${top};"]`).first().innerText()).replace(/\u00a0/g, ' ');
  }

  /** Hides the panel (Problems, Output, ...) when it shows: the command exists only then. */
  async hidePanel() {
    const panel = this.page.locator('[id="workbench.parts.panel"]');
    if (await panel.isVisible()) await this.command('View: Hide Panel');
    await panel.waitFor({ state: 'hidden' });
  }

  /** Closes the primary side bar (the explorer) when it shows: more room for editors. */
  async closeSideBar() {
    const bar = this.page.locator('[id="workbench.parts.sidebar"]');
    if (await bar.isVisible()) await this.command('View: Close Primary Side Bar');
    await bar.waitFor({ state: 'hidden' });
  }

  // ---- Problems ---------------------------------------------------------

  problems() {
    return this.page.locator('.markers-panel');
  }

  async openProblems() {
    if (!(await this.problems().isVisible())) await this.command('View: Focus Problems (Errors, Warnings, Infos)');
    await this.problems().waitFor();
  }

  problemRows(text) {
    return this.problems().locator('.monaco-list-row', text === undefined ? {} : { hasText: text });
  }

  async expectNoProblems(options) {
    await expectText(this.problems().locator('.message-box-container'), /No problems have been detected in the workspace/, options);
  }

  // ---- webviews ---------------------------------------------------------

  /** The content frame of the webview (a panel's, or a notebook's outputs) that holds `selector`. */
  async webviewFrame(selector, { timeout = UI_TIMEOUT } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      for (const frame of this.page.frames()) {
        if (!frame.url().includes('/webview/browser/pre/fake.html')) continue;
        if ((await frame.locator(selector).count().catch(() => 0)) > 0) return frame;
      }
      if (Date.now() > deadline) throw new Error(`no webview holds ${selector}`);
      await this.page.waitForTimeout(100); // polling the frame list: frames have no wait API
    }
  }
}

export function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Waits until a locator's text matches (polling the DOM, not a fixed sleep). */
export async function expectText(locator, re, { timeout = UI_TIMEOUT } = {}) {
  const deadline = Date.now() + timeout;
  let last = '';
  for (;;) {
    last = (await locator.first().innerText({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => '')) ?? '';
    if (re.test(last)) return last;
    if (Date.now() > deadline) throw new Error(`expected ${re} but the text was ${JSON.stringify(last.slice(0, 300))}`);
    await sleep(50);
  }
}

/** Waits until `fn()` returns a truthy value; returns it. */
export async function until(what, fn, { timeout = UI_TIMEOUT, interval = 50 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await sleep(interval);
  }
}

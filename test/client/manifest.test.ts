import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { commandIds } from '../../client/command-args.js';
import { defaultSettings } from '../../protocol/lsp.js';
import { repoRoot } from '../support/repo.js';

/** The extension manifest (`package.json`): what it promises exists and matches the code. */

interface Manifest {
  main: string;
  icon: string;
  engines: { vscode: string };
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string | boolean; restrictedConfigurations?: string[] } };
  contributes: {
    languages: { id: string; extensions: string[]; configuration: string }[];
    grammars: { language: string; path: string }[];
    commands: { command: string; title: string }[];
    menus: Record<string, { command: string }[]>;
    keybindings: { command: string; key: string; when?: string }[];
    configuration: { properties: Record<string, { type: string; default: unknown }> };
    walkthroughs: { steps: { media: { markdown?: string; image?: string }; completionEvents?: string[] }[] }[];
  };
  devDependencies: Record<string, string>;
}

const root = repoRoot();
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;

test('the manifest contributes exactly the commands the extension registers', () => {
  const contributed: string[] = manifest.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(contributed, Object.values<string>(commandIds).sort());
  const used = [...Object.values(manifest.contributes.menus).flat(), ...manifest.contributes.keybindings].map((c) => c.command);
  for (const c of used) assert.ok(contributed.includes(c), `${c} is used in menus or keybindings but not contributed`);
  for (const w of manifest.contributes.walkthroughs) {
    for (const s of w.steps) for (const e of s.completionEvents ?? []) if (e.startsWith('onCommand:')) assert.ok(contributed.includes(e.slice('onCommand:'.length)), e);
  }
});

test('the language ftp is contributed with its grammar, and the extension activates on it', () => {
  const ftp = manifest.contributes.languages.find((l) => l.id === 'ftp');
  assert.ok(ftp);
  assert.deepEqual(ftp.extensions, ['.ftp']);
  assert.ok(manifest.contributes.grammars.some((g) => g.language === 'ftp'));
  assert.ok(manifest.activationEvents.includes('onLanguage:ftp'));
  assert.ok(manifest.activationEvents.includes('onWebviewPanel:faultline.preview'), 'a restored preview must activate the extension');
  assert.equal(manifest.main, './dist-ext/client.cjs');
});

test('settings: the exploration budgets with the server’s defaults, and the untrusted-workspace switch', () => {
  const props = manifest.contributes.configuration.properties;
  for (const [key, value] of Object.entries(defaultSettings.explore)) {
    const p = props[`faultline.explore.${key}`];
    assert.ok(p, `faultline.explore.${key} is not contributed`);
    assert.equal(p.default, value, `faultline.explore.${key}`);
  }
  assert.equal(props['faultline.explore.backgroundInUntrustedWorkspaces']?.default, false);
  const trust = manifest.capabilities.untrustedWorkspaces;
  assert.equal(trust.supported, 'limited');
  assert.ok(trust.restrictedConfigurations?.includes('faultline.explore.background'));
});

test('every file the manifest points at exists', () => {
  const files = [
    manifest.icon,
    ...manifest.contributes.languages.map((l) => l.configuration),
    ...manifest.contributes.grammars.map((g) => g.path),
    ...manifest.contributes.walkthroughs.flatMap((w) => w.steps.flatMap((s) => [s.media.markdown, s.media.image])),
  ].filter((f): f is string => typeof f === 'string');
  const missing = files.filter((f) => !existsSync(join(root, f)));
  assert.deepEqual(missing, []);
});

test('the @types/vscode version does not promise more API than engines.vscode', () => {
  const types = manifest.devDependencies['@types/vscode']!;
  const engine = manifest.engines.vscode.replace(/^\^/, '');
  const [a, b] = [types, engine].map((v) => v.split('.').map(Number));
  assert.ok(a![0]! < b![0]! || (a![0] === b![0] && a![1]! <= b![1]!), `@types/vscode ${types} is newer than engines.vscode ${manifest.engines.vscode}`);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentSecurityPolicy, previewHtml } from '../../client/preview/preview-html.js';

const options = { cspSource: 'https://file+.vscode-resource.vscode-cdn.net', nonce: 'bm9uY2UxMjM0NTY3ODkwMQ==', scriptUri: 'https://x/media/preview.js', styleUri: 'https://x/media/preview.css' };

test('the policy allows only our nonce for scripts and nothing over the network', () => {
  const csp = contentSecurityPolicy(options.cspSource, options.nonce);
  const directives = new Map(csp.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  assert.deepEqual(directives.get('script-src'), [`'nonce-${options.nonce}'`]);
  assert.ok(!csp.includes('unsafe-eval'));
  assert.ok(!/script-src[^;]*unsafe-inline/.test(csp));
  assert.ok(!/https?:\/\/(?!file\+)/.test(csp.replace(options.cspSource, '')), 'no other origin');
  assert.deepEqual(directives.get('base-uri'), ["'none'"]);
});

test('the page has one script, with the nonce, and no inline code or handlers', () => {
  const html = previewHtml(options);
  const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  assert.match(scripts[0]![0], new RegExp(`nonce="${options.nonce}" src="${options.scriptUri}"`));
  assert.equal(scripts[0]![1], '');
  assert.doesNotMatch(html, /\son[a-z]+=/i);
  assert.match(html, /<meta charset="UTF-8">/);
  for (const id of ['trace-picker', 'seed', 'sample', 'step', 'diagram', 'node-states', 'machine', 'export-svg', 'export-md', 'status']) assert.match(html, new RegExp(`id="${id}"`));
});

test('URIs are escaped into attributes', () => {
  const html = previewHtml({ ...options, scriptUri: 'https://x/"><script>alert(1)</script>' });
  assert.ok(!html.includes('"><script>alert(1)'));
  assert.ok(html.includes('&quot;&gt;&lt;script&gt;'));
});

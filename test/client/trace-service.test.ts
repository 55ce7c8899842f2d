import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTraceService } from '../../client/preview/trace-service.js';
import type { TracesParams, TracesResult } from '../../protocol/lsp.js';

const params: TracesParams = { uri: 'file:///a.ftp', run: null };
const answer = (error: string | null): TracesResult => ({ uri: params.uri, version: 1, error, runs: [] });

function codeError(code: number, message: string): Error & { code: number } {
  return Object.assign(new Error(message), { code });
}

test('the server answers when it can', async () => {
  let locals = 0;
  const s = createTraceService({ request: () => () => Promise.resolve(answer('server')), local: () => (locals++, answer('local')), log: () => {} });
  assert.equal((await s.traces(params)).error, 'server');
  assert.equal(s.source, 'server');
  assert.equal(locals, 0);
});

test('no server, or a server without faultline/traces: the host computes the traces (and stops asking)', async () => {
  const logs: string[] = [];
  let asked = 0;
  const s = createTraceService({
    request: () => () => {
      asked++;
      return Promise.reject(codeError(-32601, 'Unhandled method faultline/traces'));
    },
    local: () => answer('local'),
    log: (m) => logs.push(m),
  });
  assert.equal((await s.traces(params)).error, 'local');
  assert.equal((await s.traces(params)).error, 'local');
  assert.equal(asked, 1);
  assert.equal(s.source, 'local');
  assert.equal(logs.length, 1);
  const none = createTraceService({ request: () => null, local: () => answer('local'), log: () => {} });
  assert.equal((await none.traces(params)).error, 'local');
});

test('a failed request falls back once; a cancelled one stays cancelled', async () => {
  let fail = true;
  const s = createTraceService({
    request: () => () => (fail ? Promise.reject(new Error('connection closed')) : Promise.resolve(answer('server'))),
    local: () => answer('local'),
    log: () => {},
  });
  assert.equal((await s.traces(params)).error, 'local');
  fail = false;
  assert.equal((await s.traces(params)).error, 'server');
  const cancelled = createTraceService({ request: () => () => Promise.reject(codeError(-32800, 'cancelled')), local: () => answer('local'), log: () => {} });
  await assert.rejects(cancelled.traces(params), /cancelled/);
});

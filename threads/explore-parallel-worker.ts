import { parentPort } from 'node:worker_threads';
import type { ParallelWorkerInit } from '../engine/explore-parallel.js';
import { runParallelWorker } from '../engine/explore-parallel-worker.js';

// A pooled exploration thread: each message is one worker's part of one search,
// run synchronously by the engine; this file only connects it to Node.
parentPort!.on('message', (init: ParallelWorkerInit) => {
  runParallelWorker(init, {
    post: (message, transfer) => parentPort!.postMessage(message, transfer),
    memoryUsed: () => {
      // The visited set, the parent links and the frontier live in typed arrays, outside the JS heap.
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    },
    processMemoryUsed: () => process.memoryUsage.rss(),
    wallClock: () => Date.now(),
  });
});

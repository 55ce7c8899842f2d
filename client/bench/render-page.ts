import mermaid from 'mermaid';
import type { Trace } from '../../engine/trace.js';
import { traceToMermaid } from '../../render/mermaid.js';
import { overviewToSvg, traceOverview } from '../../render/overview.js';

/**
 * The browser half of `npm run bench:render` (bench/render.ts bundles it with
 * esbuild into a blank page): the overview and the whole trace through Mermaid,
 * each timed in the page, including the browser's layout of the result.
 */
interface RenderBench {
  /** Milliseconds to build, insert and lay out the overview of `trace` at `width` pixels. */
  overview(trace: Trace, width: number): number;
  /** Milliseconds to draw the whole trace with Mermaid (maxTextSize raised to fit); the SVG's size. */
  wholeMermaid(trace: Trace): Promise<{ ms: number; svgChars: number; error: string | null }>;
}

const host = document.createElement('div');
document.body.append(host);

const bench: RenderBench = {
  overview(trace, width) {
    const t0 = performance.now();
    host.innerHTML = overviewToSvg(traceOverview(trace, { width }), { focus: trace.violation?.step ?? 0 });
    host.getBoundingClientRect();
    return performance.now() - t0;
  },
  async wholeMermaid(trace) {
    const t0 = performance.now();
    const text = traceToMermaid(trace);
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', maxTextSize: text.length + 1_000, sequence: { mirrorActors: true } });
    try {
      const { svg } = await mermaid.render(`fl-bench-${trace.steps.length}`, text);
      host.innerHTML = svg;
      host.getBoundingClientRect();
      const error = svg.includes('Maximum text size') ? 'Maximum text size' : null;
      return { ms: performance.now() - t0, svgChars: svg.length, error };
    } catch (e) {
      return { ms: performance.now() - t0, svgChars: 0, error: e instanceof Error ? e.message : String(e) };
    }
  },
};

(globalThis as unknown as { __flBench: RenderBench }).__flBench = bench;

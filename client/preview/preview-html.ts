/**
 * The preview page. One template for the extension and for the browser tests,
 * so the tests exercise the page users get. It holds no user text at all: the
 * page fills itself from trace JSON with DOM text nodes and Mermaid.
 */
export interface PreviewPageOptions {
  /** The webview's `cspSource` (the origin its resources come from). */
  cspSource: string;
  /** A fresh random nonce per page (`crypto.randomBytes(16).toString('base64')`). */
  nonce: string;
  /** The URI of `preview.js` and `preview.css` as the page sees them. */
  scriptUri: string;
  styleUri: string;
}

/**
 * Scripts: only our bundle, by nonce. Styles: Mermaid writes a `<style>` into
 * each SVG it renders, so `style-src` needs `'unsafe-inline'`; everything else is
 * refused (`default-src 'none'`), including any network access.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

const attr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function previewHtml(o: PreviewPageOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.styleUri)}">
<title>Faultline timeline</title>
</head>
<body>
<header class="top">
<div class="toolbar" role="toolbar" aria-label="Timeline">
  <label class="picker">Trace <select id="trace-picker" aria-label="Trace"></select></label>
  <span class="seed"><label>Seed <input id="seed" type="number" min="0" max="4294967295" step="1" value="1" aria-label="Simulation seed"></label><button id="sample" type="button" title="A random run of the chosen scenario or check with this seed">Sample run</button></span>
  <span class="tabs" role="tablist">
    <button id="tab-timeline" type="button" role="tab" aria-selected="true" aria-controls="timeline-view">Timeline</button>
    <button id="tab-machines" type="button" role="tab" aria-selected="false" aria-controls="machines-view">State machines</button>
  </span>
  <span class="exports">
    <button id="export-svg" type="button" title="Save the diagram as SVG">Export SVG</button>
    <button id="export-md" type="button" title="Save the diagram as a Markdown mermaid block">Export Markdown</button>
  </span>
</div>
<p id="message" role="status" aria-live="polite"></p>
<div id="timeline-controls">
  <div class="stepper">
    <button id="step-prev" type="button" title="Previous step (Left arrow)" aria-label="Previous step">&#9664;</button>
    <input id="step" type="range" min="0" max="0" value="0" aria-label="Step">
    <button id="step-next" type="button" title="Next step (Right arrow)" aria-label="Next step">&#9654;</button>
    <output id="step-label" for="step"></output>
  </div>
  <p id="step-text"></p>
  <div id="whole" class="whole" hidden>
    <button id="whole-render" type="button" title="Draw every step with Mermaid, a chunk at a time">Render the whole trace</button>
    <span id="whole-progress-box" hidden><progress id="whole-progress" max="1" value="0" aria-label="Rendering the whole trace"></progress> <output id="whole-label" for="whole-progress"></output> <button id="whole-cancel" type="button">Cancel</button></span>
  </div>
  <div id="overview" class="overview" title="The whole run: click to move to a step" hidden></div>
</div>
</header>
<section id="timeline-view" role="tabpanel" aria-labelledby="tab-timeline">
  <div class="layout">
    <div id="diagram" class="diagram"></div>
    <aside class="states">
      <h2 id="states-title">Nodes</h2>
      <table id="node-states" aria-labelledby="states-title"><thead><tr><th scope="col">Node</th><th scope="col">Status</th><th scope="col">State</th></tr></thead><tbody></tbody></table>
    </aside>
  </div>
</section>
<section id="machines-view" role="tabpanel" aria-labelledby="tab-machines" hidden>
  <label class="picker">Role <select id="machine-picker" aria-label="State variable"></select></label>
  <div id="machine" class="diagram"></div>
</section>
<div id="status" data-state="loading" hidden></div>
<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}

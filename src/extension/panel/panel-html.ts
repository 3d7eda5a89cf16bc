/**
 * The performance panel's HTML shell: a strict CSP, the bundle's stylesheet and script, nothing
 * inline. Pure (no vscode import) so the policy is tested directly.
 */
import { randomBytes } from 'node:crypto';

export interface PanelHtmlInput {
  /** webview.cspSource: the origin the webview serves local resources from. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce: string;
  title: string;
}

/** A fresh nonce per page load: a script the page did not ship cannot know it. */
export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

/**
 * default-src 'none': nothing loads unless listed, and no connect-src (the panel talks to the host
 * through postMessage only). Scripts: only ours, by nonce. Styles: only the bundled stylesheet
 * (dist/webview.css, uPlot's CSS included) from cspSource; uPlot sizes and colours its elements
 * through the CSSOM (element.style.x = ...), which CSP does not govern, and the panel does the
 * same, so neither a style nonce nor 'unsafe-inline' is needed. Images: cspSource and data: URIs.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
}

const escapeAttr = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function panelHtml(input: PanelHtmlInput): string {
  const csp = contentSecurityPolicy(input.cspSource, input.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(input.styleUri)}">
<title>${escapeAttr(input.title)}</title>
</head>
<body>
<script nonce="${escapeAttr(input.nonce)}" src="${escapeAttr(input.scriptUri)}"></script>
</body>
</html>
`;
}

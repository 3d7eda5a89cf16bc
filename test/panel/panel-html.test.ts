import assert from 'node:assert/strict';
import { contentSecurityPolicy, makeNonce, panelHtml } from '../../src/extension/panel/panel-html';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name as string, values]));
}

describe('panel HTML', () => {
  const nonce = makeNonce();
  const html = panelHtml({
    cspSource: CSP_SOURCE,
    scriptUri: `${CSP_SOURCE}/ext/dist/webview.js`,
    styleUri: `${CSP_SOURCE}/ext/dist/webview.css`,
    nonce,
    title: 'TrainLens: <train.py>',
  });

  it('sets a strict nonce CSP', () => {
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
    assert.ok(meta, 'CSP meta tag present');
    const csp = directives((meta[1] as string).replace(/&#39;|&quot;/g, "'"));
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    assert.deepEqual(csp.get('script-src'), [`'nonce-${nonce}'`]);
    assert.deepEqual(csp.get('style-src'), [CSP_SOURCE], "no 'unsafe-inline': uPlot styles through the CSSOM");
    assert.deepEqual(csp.get('img-src'), [CSP_SOURCE, 'data:']);
    assert.equal(csp.get('connect-src'), undefined);
    assert.equal(contentSecurityPolicy(CSP_SOURCE, nonce), meta[1]);
  });

  it('loads only its own bundle, nothing inline', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.equal(scripts[0]?.[1], ` nonce="${nonce}" src="${CSP_SOURCE}/ext/dist/webview.js"`);
    assert.equal(scripts[0]?.[2], '', 'no inline script');
    assert.doesNotMatch(html, /<style|\sstyle="|\son[a-z]+="/);
    assert.match(html, /<link rel="stylesheet" href="[^"]+\/dist\/webview\.css">/);
    assert.match(html, /<title>TrainLens: &lt;train\.py&gt;<\/title>/);
  });

  it('uses a fresh, unguessable nonce each time', () => {
    const nonces = new Set(Array.from({ length: 50 }, makeNonce));
    assert.equal(nonces.size, 50);
    for (const n of nonces) assert.match(n, /^[A-Za-z0-9+/]{24}$/);
  });
});

/**
 * A panel's page: one of the extension's webview bundles (dist/<bundle>.js and .css) under the
 * nonce CSP panelHtml writes, with a fresh nonce each time the page is set.
 */
import * as vscode from 'vscode';
import { makeNonce, panelHtml } from './panel/panel-html';

/** The webview bundles esbuild.js writes to dist/, by file name without .js/.css. */
export type WebviewBundle = 'webview' | 'tune-webview';

export function bundleHtml(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: WebviewBundle, title: string): string {
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  return panelHtml({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${bundle}.js`)).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${bundle}.css`)).toString(),
    nonce: makeNonce(),
    title,
  });
}

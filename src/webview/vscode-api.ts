/** The API VS Code injects into webviews, typed with the panel's own messages and state. */
import type { WebviewToHostMessage } from '../protocol/webview-messages';

interface VsCodeApi {
  postMessage(message: WebviewToHostMessage): void;
  /** Whatever was last passed to setState; survives the webview being hidden and shown again. */
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** May be called once per page load. */
export function vscodeApi(): VsCodeApi {
  return acquireVsCodeApi();
}

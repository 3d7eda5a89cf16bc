/** The API VS Code injects into webviews, typed with the panel's own messages and state. */
import type { WebviewToHostMessage } from '../protocol/webview-messages';

/** `M`: the messages this webview posts (the performance panel's by default). */
interface VsCodeApi<M = WebviewToHostMessage> {
  postMessage(message: M): void;
  /** Whatever was last passed to setState; survives the webview being hidden and shown again. */
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi<unknown>;

/** May be called once per page load. */
export function vscodeApi<M = WebviewToHostMessage>(): VsCodeApi<M> {
  return acquireVsCodeApi();
}

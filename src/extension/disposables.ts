/**
 * A store of disposables with one owner. The extension has one for its lifetime (context
 * subscriptions); each run has its own, disposed when the run ends, so nothing a run set up
 * (listeners, throttles) outlives it.
 */
import * as vscode from 'vscode';

export class DisposableStore implements vscode.Disposable {
  private readonly items: vscode.Disposable[] = [];
  private disposed = false;

  add<T extends vscode.Disposable>(item: T): T {
    // Adding to a store that is already gone must not leak the item.
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // Reverse order: later items may depend on earlier ones.
    for (const item of this.items.splice(0).reverse()) item.dispose();
  }
}

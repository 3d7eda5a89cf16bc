/**
 * tree-sitter for the quick fixes: each language's grammar loads from the extension's dist/ folder
 * on the first code-action request for that language, once per session.
 */
import * as vscode from 'vscode';
import { loadGrammars, wasmInFolder, type Grammars } from '../../core/fixes/grammars';
import type { SourceLanguage } from '../../core/fixes/types';

export class Parsers {
  private readonly loading = new Map<SourceLanguage, Promise<Grammars | undefined>>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Undefined when the grammar cannot load: logged once, and quick fixes for it stay off. */
  for(language: SourceLanguage): Promise<Grammars | undefined> {
    let pending = this.loading.get(language);
    if (!pending) {
      const dist = vscode.Uri.joinPath(this.extensionUri, 'dist').fsPath;
      pending = loadGrammars(wasmInFolder(dist), [language]).catch((error: unknown) => {
        this.log.error(`cannot load the ${language} parser from ${dist}, so no quick fixes for ${language}: ${(error as Error).message}`);
        return undefined;
      });
      this.loading.set(language, pending);
    }
    return pending;
  }
}

/**
 * What the editor shows for the latest run: heat and inline text on hot lines, their hovers, and
 * findings as diagnostics. They stay after the run ends, until cleared or replaced by the next run.
 */
import * as vscode from 'vscode';
import { CONTEXT_KEYS } from '../../core/editor-view/commands';
import { annotationsByFile, hoverMarkdown, type LineAnnotation } from '../../core/editor-view/heat';
import type { Finding } from '../../core/findings/finding';
import type { HotLine, RunSummary } from '../../core/summary';
import { FindingDiagnostics } from './diagnostics';
import { HeatDecorations } from './heat-decorations';

export class EditorAnnotations implements vscode.Disposable {
  private readonly heat = new HeatDecorations();
  readonly diagnostics = new FindingDiagnostics();
  /** fsPath → line0 → annotation. */
  private byFile = new Map<string, Map<number, LineAnnotation>>();
  private hasFindings = false;
  private readonly visibleEditors: vscode.Disposable;
  /** Registered only while there is heat to hover over. */
  private hoverProvider: vscode.Disposable | undefined;

  constructor() {
    // An editor that comes into view is a new TextEditor without our decorations.
    this.visibleEditors = vscode.window.onDidChangeVisibleTextEditors((editors) => this.applyTo(editors));
  }

  get isEmpty(): boolean {
    return this.byFile.size === 0 && !this.hasFindings;
  }

  showHeat(hotLines: readonly HotLine[]): void {
    this.byFile = new Map();
    for (const [file, annotations] of annotationsByFile(hotLines)) {
      this.byFile.set(vscode.Uri.file(file).fsPath, new Map(annotations.map((a) => [a.line0, a])));
    }
    if (this.byFile.size > 0) this.hoverProvider ??= vscode.languages.registerHoverProvider({ scheme: 'file' }, { provideHover: (d, p) => this.hover(d, p) });
    this.applyTo(vscode.window.visibleTextEditors);
    this.changed();
  }

  /** `run`: the run that raised the findings, whose facts (cores, CUDA) their quick fixes use. */
  showFindings(findings: readonly Finding[], script: string | null, run: RunSummary | null): void {
    this.diagnostics.show(findings, script, run);
    this.hasFindings = findings.length > 0;
    this.changed();
  }

  /** A finished run or a recording: its hot lines, and its findings with its facts for their fixes. */
  showSummary(summary: RunSummary): void {
    this.showHeat(summary.hotLines);
    this.showFindings(summary.findings, summary.script, summary);
  }

  clear(): void {
    this.showHeat([]);
    this.showFindings([], null, null);
    this.hoverProvider?.dispose();
    this.hoverProvider = undefined;
  }

  dispose(): void {
    this.visibleEditors.dispose();
    this.hoverProvider?.dispose();
    this.heat.dispose();
    this.diagnostics.dispose();
  }

  private applyTo(editors: readonly vscode.TextEditor[]): void {
    for (const editor of editors) {
      if (editor.document.uri.scheme !== 'file') continue;
      this.heat.apply(editor, [...(this.byFile.get(editor.document.uri.fsPath)?.values() ?? [])]);
    }
  }

  private hover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const annotation = this.byFile.get(document.uri.fsPath)?.get(position.line);
    if (!annotation) return undefined;
    return new vscode.Hover(new vscode.MarkdownString(hoverMarkdown(annotation.hotLine)), document.lineAt(position.line).range);
  }

  private changed(): void {
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.hasAnnotations, !this.isEmpty);
  }
}

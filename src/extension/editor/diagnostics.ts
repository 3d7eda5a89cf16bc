/**
 * Findings as Diagnostics. This module owns TrainLens's one DiagnosticCollection; the quick-fix
 * provider (code actions) reads diagnostics with source DIAGNOSTIC_SOURCE and keys on their `code`,
 * asking here for the finding behind one and the facts of the run that raised it.
 */
import * as vscode from 'vscode';
import { lineAfterChanges, type LineChange } from '../../core/editor-view/diagnostic-tracking';
import { DIAGNOSTIC_SOURCE, diagnosticsFromFindings, type DiagnosticData, type DiagnosticSeverityName } from '../../core/editor-view/diagnostics-model';
import { findingForDiagnostic } from '../../core/editor-view/quick-fixes';
import type { Finding } from '../../core/findings/finding';
import { fixContextForRun, type LocalFacts } from '../../core/fixes/run-context';
import type { FixContext } from '../../core/fixes/types';
import type { RunSummary } from '../../core/summary';

const SEVERITY: Record<DiagnosticSeverityName, vscode.DiagnosticSeverity> = {
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/** For files that are not open: the editor clamps the end to the line's length when it shows them. */
const LINE_END = Number.MAX_SAFE_INTEGER;

export class FindingDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('trainlens');
  /** What the diagnostics show, kept for the quick fixes (diagnostics come back to them as copies). */
  private shown: { findings: readonly Finding[]; script: string | null; run: RunSummary | null } = { findings: [], script: null, run: null };
  private readonly edits = vscode.workspace.onDidChangeTextDocument((event) => this.follow(event));

  /** Replaces all TrainLens diagnostics with these findings'; `run` is the run that raised them. */
  show(findings: readonly Finding[], script: string | null, run: RunSummary | null): void {
    this.shown = { findings, script, run };
    this.collection.clear();
    for (const [file, list] of diagnosticsFromFindings(findings, script)) {
      const uri = vscode.Uri.file(file);
      const document = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === uri.fsPath);
      this.collection.set(uri, list.map((data) => toDiagnostic(data, document)));
    }
  }

  /** The finding behind a TrainLens diagnostic at `line0` (where it is now) of `uri`. */
  findingAt(uri: vscode.Uri, code: string, line0: number): Finding | undefined {
    return findingForDiagnostic(this.shown.findings, this.shown.script, uri.fsPath, code, line0);
  }

  /** The facts a fix for `finding` needs: the run's, else (a finding without its run) this machine's. */
  fixContext(finding: Finding, local: LocalFacts): FixContext {
    return this.shown.run ? fixContextForRun(this.shown.run, finding, local) : { ...local, cuda: false };
  }

  dispose(): void {
    this.edits.dispose();
    this.collection.dispose();
  }

  /** Moves this document's diagnostics with the edit; drops those whose line it rewrote. */
  private follow(event: vscode.TextDocumentChangeEvent): void {
    const current = this.collection.get(event.document.uri);
    if (!current || current.length === 0 || event.contentChanges.length === 0) return;
    const changes: LineChange[] = event.contentChanges.map((c) => ({
      startLine0: c.range.start.line,
      startCharacter: c.range.start.character,
      endLine0: c.range.end.line,
      text: c.text,
    }));
    const moved: vscode.Diagnostic[] = [];
    for (const diagnostic of current) {
      const line0 = lineAfterChanges(diagnostic.range.start.line, changes);
      if (line0 === undefined) continue;
      const copy = new vscode.Diagnostic(codeRange(line0, event.document), diagnostic.message, diagnostic.severity);
      Object.assign(copy, { source: diagnostic.source, code: diagnostic.code, relatedInformation: diagnostic.relatedInformation });
      moved.push(copy);
    }
    this.collection.set(event.document.uri, moved);
  }
}

function toDiagnostic(data: DiagnosticData, document: vscode.TextDocument | undefined): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(codeRange(data.line0, document), data.message, SEVERITY[data.severity]);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  diagnostic.code = data.code;
  if (data.related.length > 0) {
    diagnostic.relatedInformation = data.related.map(
      (r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(r.file), lineRange(r.line0)), r.message),
    );
  }
  return diagnostic;
}

function lineRange(line0: number): vscode.Range {
  return new vscode.Range(line0, 0, line0, LINE_END);
}

/** The line's code without its indentation when the file is open (a tidier squiggle), else the whole line. */
function codeRange(line0: number, document: vscode.TextDocument | undefined): vscode.Range {
  if (!document || line0 >= document.lineCount) return lineRange(line0);
  const line = document.lineAt(line0);
  return new vscode.Range(line0, line.firstNonWhitespaceCharacterIndex, line0, line.range.end.character);
}

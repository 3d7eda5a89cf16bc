/**
 * Quick fixes in the editor: on TrainLens diagnostics, the fixes their finding lists, computed with
 * the run's facts; and before any run, a lightbulb on code where a fix is safe without a measurement.
 * The work is pure (core/editor-view); this class parses on demand, caches per document version and
 * turns plans into CodeActions. Applying one runs FIX_APPLIED_COMMAND, for Re-run and Compare.
 */
import * as vscode from 'vscode';
import { FIX_APPLIED_COMMAND } from '../../core/editor-view/commands';
import { mayHaveProactiveFixes, proactiveFixes } from '../../core/editor-view/proactive-fixes';
import { planQuickFixes, QUICK_FIX_LANGUAGES, type DiagnosticFinding } from '../../core/editor-view/quick-fixes';
import { languageOfPath, runFix, type DetectedFix } from '../../core/fixes/catalogue';
import type { LocalFacts } from '../../core/fixes/run-context';
import type { FixResult, TextEdit } from '../../core/fixes/types';
import { availableCores } from '../../host/analysis';
import { DisposableStore } from '../disposables';
import type { FindingDiagnostics } from '../editor/diagnostics';
import type { Parsers } from './parsers';

/** What FIX_APPLIED_COMMAND receives. */
export interface AppliedFix {
  file: string;
  fixId: string;
  title: string;
}

/** One document version's results: the lightbulb asks again on every cursor move. */
interface VersionCache {
  version: number;
  proactive: DetectedFix[] | undefined;
  fixes: Map<string, FixResult>;
}

export class QuickFixProvider implements vscode.CodeActionProvider, vscode.Disposable {
  private readonly cache = new Map<string, VersionCache>();
  private readonly store = new DisposableStore();

  constructor(
    private readonly parsers: Parsers,
    private readonly diagnostics: FindingDiagnostics,
  ) {
    const selector = QUICK_FIX_LANGUAGES.map((language) => ({ scheme: 'file', language }));
    this.store.add(vscode.languages.registerCodeActionsProvider(selector, this, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }));
    this.store.add(vscode.workspace.onDidCloseTextDocument((document) => this.cache.delete(document.uri.toString())));
  }

  async provideCodeActions(
    document: vscode.TextDocument,
    range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.CodeAction[]> {
    if (context.only && !context.only.contains(vscode.CodeActionKind.QuickFix)) return [];
    const language = languageOfPath(document.uri.fsPath);
    if (!language) return [];
    const ours = this.ourDiagnosticsOnLines(document, range);
    const targets = this.findingsOf(document, ours);
    if (targets.length === 0 && !mayHaveProactiveFixes(document.getText())) return [];
    const grammars = await this.parsers.for(language);
    if (!grammars || token.isCancellationRequested) return [];
    // Read after the wait: the edits' offsets must index the text the actions will edit.
    const source = document.getText();
    const cache = this.cacheFor(document);
    const local = localFacts();
    const plans = planQuickFixes(
      targets,
      (finding) => this.diagnostics.fixContext(finding, local),
      (fixId, ctx) => cached(cache.fixes, `${fixId}\0${JSON.stringify(ctx)}`, () => runFix(grammars, fixId, source, language, ctx)),
    );
    const explicit = context.triggerKind === vscode.CodeActionTriggerKind.Invoke;
    const actions = plans
      // A refusal is no edit; asked for explicitly (Ctrl+.), it is shown greyed out with its reason.
      .filter((plan) => plan.edits !== null || explicit)
      .map((plan) => {
        const action = this.action(document, plan.fixId, plan.title, plan.edits);
        if (plan.refusal !== null) action.disabled = { reason: plan.refusal };
        action.diagnostics = plan.diagnostics.map((i) => ours[i]).filter((d): d is vscode.Diagnostic => d !== undefined);
        action.isPreferred = plan.preferred;
        return action;
      });
    cache.proactive ??= proactiveFixes(grammars, source, language, local.cores, local.platform);
    const first = range.start.line + 1;
    const last = range.end.line + 1;
    for (const fix of cache.proactive) {
      // A run's finding already offers this fix here, with better facts.
      if (fix.line < first || fix.line > last || plans.some((plan) => plan.fixId === fix.fixId)) continue;
      actions.push(this.action(document, fix.fixId, fix.title, fix.edits));
    }
    return actions;
  }

  dispose(): void {
    this.store.dispose();
    this.cache.clear();
  }

  /**
   * TrainLens diagnostics on the requested lines. Findings are about lines, so the cursor anywhere on
   * one gets their fixes, also in the indentation before the squiggle, where VS Code's own
   * context.diagnostics (those touching the cursor) would be empty.
   */
  private ourDiagnosticsOnLines(document: vscode.TextDocument, range: vscode.Range): vscode.Diagnostic[] {
    const all = this.diagnostics.collection.get(document.uri) ?? [];
    return all.filter((d) => d.range.start.line <= range.end.line && d.range.end.line >= range.start.line);
  }

  private findingsOf(document: vscode.TextDocument, ours: readonly vscode.Diagnostic[]): DiagnosticFinding[] {
    return ours.flatMap((diagnostic, index) => {
      const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
      const line0 = diagnostic.range.start.line;
      const finding = code === undefined ? undefined : this.diagnostics.findingAt(document.uri, String(code), line0);
      return finding && finding.fixes.length > 0 ? [{ index, line0, finding }] : [];
    });
  }

  private cacheFor(document: vscode.TextDocument): VersionCache {
    const key = document.uri.toString();
    let entry = this.cache.get(key);
    if (entry?.version !== document.version) {
      entry = { version: document.version, proactive: undefined, fixes: new Map() };
      this.cache.set(key, entry);
    }
    return entry;
  }

  private action(document: vscode.TextDocument, fixId: string, title: string, edits: readonly TextEdit[] | null): vscode.CodeAction {
    const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
    if (!edits) return action;
    const edit = new vscode.WorkspaceEdit();
    for (const e of edits) edit.replace(document.uri, new vscode.Range(document.positionAt(e.start), document.positionAt(e.end)), e.newText);
    action.edit = edit;
    const applied: AppliedFix = { file: document.uri.fsPath, fixId, title };
    action.command = { command: FIX_APPLIED_COMMAND, title: 'TrainLens fix applied', arguments: [applied] };
    return action;
  }
}

function cached<T>(map: Map<string, T>, key: string, compute: () => T): T {
  if (!map.has(key)) map.set(key, compute());
  return map.get(key) as T;
}

/** The scripts run on this machine, so before a run (or for facts a run lacks) its cores count. */
function localFacts(): LocalFacts {
  return { cores: availableCores(), platform: process.platform };
}

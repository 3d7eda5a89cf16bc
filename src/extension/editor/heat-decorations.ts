/**
 * The fixed set of decoration types: one background per heat bucket plus one for the text at the
 * end of hot lines. Created once; colours are theme colours contributed in package.json.
 */
import * as vscode from 'vscode';
import { HEAT_BACKGROUND_COLORS, HEAT_RULER_COLOR, INLINE_FOREGROUND_COLOR, type LineAnnotation } from '../../core/editor-view/heat';

/** Buckets from this one up also mark the overview ruler, so the hottest lines can be found by scrolling. */
const RULER_FROM_BUCKET = 2;

export class HeatDecorations implements vscode.Disposable {
  private readonly buckets = HEAT_BACKGROUND_COLORS.map((color, bucket) =>
    vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor(color),
      overviewRulerColor: bucket >= RULER_FROM_BUCKET ? new vscode.ThemeColor(HEAT_RULER_COLOR) : undefined,
      overviewRulerLane: vscode.OverviewRulerLane.Right,
    }),
  );
  private readonly inline = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor(INLINE_FOREGROUND_COLOR), margin: '0 0 0 3em', fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });

  /** Replaces whatever this editor showed with these annotations (an empty list clears it). */
  apply(editor: vscode.TextEditor, annotations: readonly LineAnnotation[]): void {
    const perBucket: vscode.Range[][] = this.buckets.map(() => []);
    const inline: vscode.DecorationOptions[] = [];
    const document = editor.document;
    for (const annotation of annotations) {
      // The file may have changed since the run: a line that no longer exists is skipped.
      if (annotation.line0 >= document.lineCount) continue;
      const line = document.lineAt(annotation.line0);
      perBucket[annotation.bucket]?.push(line.range);
      inline.push({ range: new vscode.Range(line.range.end, line.range.end), renderOptions: { after: { contentText: annotation.inlineText } } });
    }
    this.buckets.forEach((type, bucket) => editor.setDecorations(type, perBucket[bucket] ?? []));
    editor.setDecorations(this.inline, inline);
  }

  dispose(): void {
    for (const type of this.buckets) type.dispose();
    this.inline.dispose();
  }
}

/**
 * Start-up as a phase of its own: the time before the first training step (imports, data and
 * model set-up), kept out of the hot lines and told apart, as the CLI report and the panel say it:
 * "start-up 2.1 s: import torch 1.4 s (train.py:3)".
 */
import type { SourceLines } from './findings/facts';
import type { StartupSummary } from './summary';
import { displayPath } from './view/view-tables';

/** Lines a sentence names; the summary keeps a few more. */
const LINES_NAMED = 3;
/** Code longer than this is cut, so the sentence stays one line. */
const MAX_CODE_CHARS = 40;

/** The start-up lines with their source text (core reads no files: the host passes a reader). */
export function withStartupCode(startup: StartupSummary | null, sourceLines: SourceLines): StartupSummary | null {
  if (!startup) return null;
  return { ...startup, lines: startup.lines.map((line) => ({ ...line, code: sourceLines(line.file, line.line)?.trim() || null })) };
}

/** "start-up 2.1 s: import torch 1.4 s (train.py:3), …" */
export function startupSentence(startup: StartupSummary, cwd: string): string {
  return `start-up ${startupDetail(startup, cwd)}`;
}

/** "2.1 s: import torch 1.4 s (train.py:3), …": the heaviest lines, by code when it was read. */
export function startupDetail(startup: StartupSummary, cwd: string): string {
  const named = startup.lines.slice(0, LINES_NAMED).map((line) => {
    const where = `${displayPath(line.file, cwd)}:${line.line}`;
    return line.code ? `${clip(line.code)} ${seconds(line.ms)} (${where})` : `${where} ${seconds(line.ms)}`;
  });
  return `${seconds(startup.ms)}${named.length > 0 ? `: ${named.join(', ')}` : ''}`;
}

/** Start-up is read in seconds: "2.1 s", "0.35 s". */
function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 1000 ? 2 : 1)} s`;
}

function clip(code: string): string {
  return code.length <= MAX_CODE_CHARS ? code : `${code.slice(0, MAX_CODE_CHARS - 1)}…`;
}

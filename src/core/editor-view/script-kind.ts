/**
 * Which files Profile Training accepts. Same set as the host's withDefaultInterpreter; package.json's
 * menu `when` clauses use SCRIPT_EXTNAME_WHEN (a test checks they agree).
 */

export type ScriptKind = 'python' | 'node';

export const SCRIPT_EXTNAME_WHEN = 'resourceExtname =~ /^\\.(py|[cm]?js|[cm]?ts)$/';

export function scriptKind(file: string): ScriptKind | undefined {
  if (/\.py$/.test(file)) return 'python';
  if (/\.[cm]?[jt]s$/.test(file) && !/\.d\.[cm]?ts$/.test(file)) return 'node';
  return undefined;
}

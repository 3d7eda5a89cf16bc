/**
 * Which folder a profiled script starts in (`trainlens.cwd`), and what to tell the user when a run
 * fails in a way that points at that folder. Scripts written to be run from their own folder
 * (`open('configurator.py')`, `./data/...`) fail from the workspace root, and the Python
 * extension's "execute in file dir" users expect the choice.
 */
import path from 'node:path';

/** The two named choices; anything else is a path (absolute, or relative to the workspace folder). */
export const RUN_FOLDER_CHOICES = ['workspaceFolder', 'fileDirectory'] as const;

export interface RunFolder {
  cwd: string;
  /** Why the setting's value was not used, for the log. */
  problem?: string;
}

export function runFolder(setting: string, workspaceFolder: string | undefined, script: string): RunFolder {
  const scriptDir = path.dirname(script);
  const root = workspaceFolder ?? scriptDir;
  if (setting === '' || setting === 'workspaceFolder') return { cwd: root };
  if (setting === 'fileDirectory') return { cwd: scriptDir };
  const expanded = setting.replace(/\$\{workspaceFolder\}/g, root).replace(/\$\{fileDirname\}/g, scriptDir);
  if (/\$\{[^}]*\}/.test(expanded)) {
    return { cwd: root, problem: `trainlens.cwd: only \${workspaceFolder} and \${fileDirname} are expanded in "${setting}"; starting in ${root}` };
  }
  return { cwd: path.resolve(root, expanded) };
}

/** Messages Python and Node print for a missing file, with the path they were given. */
const MISSING_FILE_PATTERNS = [
  /No such file or directory: '([^']+)'/, // Python's FileNotFoundError
  /ENOENT: no such file or directory, \w+ '([^']+)'/, // Node's fs errors
];

/**
 * When a run failed on a relative path that does not exist from the folder it started in, the
 * sentence that says so and how to change the folder; otherwise undefined.
 */
export function relativePathHint(errorMessage: string, cwd: string): string | undefined {
  for (const pattern of MISSING_FILE_PATTERNS) {
    const missing = pattern.exec(errorMessage)?.[1];
    if (missing === undefined || path.isAbsolute(missing)) continue;
    return (
      `'${missing}' is a relative path and the run started in ${cwd}. If the script expects to run from its own folder, ` +
      'set "trainlens.cwd" to "fileDirectory" (or to a folder path) and profile again.'
    );
  }
  return undefined;
}

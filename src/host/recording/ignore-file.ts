/**
 * Keeps TrainLens's recordings out of the user's repository, as caches like `.pytest_cache` do:
 * a `.gitignore` holding `*` inside the `.trainlens` folder, written once, never overwritten.
 */
import fs from 'node:fs';
import path from 'node:path';

const TOOL_DIR_NAME = '.trainlens';
const IGNORE_EVERYTHING = '# Written by TrainLens: its recordings are local, not source.\n*\n';

/** For a runs folder inside a `.trainlens` folder, makes sure that folder has its `.gitignore`. */
export function ignoreToolFolder(runsDir: string): void {
  const toolDir = path.dirname(path.resolve(runsDir));
  if (path.basename(toolDir) !== TOOL_DIR_NAME) return; // an explicit --out folder is the user's own
  try {
    // 'wx': an existing file, perhaps edited by the user, is left alone.
    fs.writeFileSync(path.join(toolDir, '.gitignore'), IGNORE_EVERYTHING, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

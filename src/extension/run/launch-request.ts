/** From "this file, with my settings" to the host's RunRequest. */
import path from 'node:path';
import * as vscode from 'vscode';
import { runFolder } from '../../core/editor-view/run-folder';
import { scriptKind } from '../../core/editor-view/script-kind';
import { withDefaultInterpreter } from '../../host/launch';
import { RUNS_DIR } from '../../host/recording/recording-reader';
import type { RunRequest } from '../../host/run-session';
import { readRunSettings } from '../settings';
import { pythonInterpreter, type Interpreter } from './interpreter';

export interface PreparedRun {
  request: RunRequest;
  interpreter: Interpreter | null;
}

export async function prepareRun(script: vscode.Uri, extensionUri: vscode.Uri, log: vscode.LogOutputChannel): Promise<PreparedRun> {
  const settings = readRunSettings(script);
  for (const problem of settings.problems) log.warn(problem);
  const isPython = scriptKind(script.fsPath) === 'python';
  const interpreter = isPython ? await pythonInterpreter(script, settings.pythonPath, log) : null;
  // By default runs start where the user's terminal would (the workspace folder); trainlens.cwd
  // moves them, while recordings stay in the workspace so every run is listed in one place.
  const workspaceFolder = vscode.workspace.getWorkspaceFolder(script)?.uri.fsPath;
  const { cwd, problem } = runFolder(settings.cwd, workspaceFolder, script.fsPath);
  if (problem) log.warn(problem);
  const env: NodeJS.ProcessEnv = { ...process.env, ...settings.env };
  // stdout is a pipe, not a tty: unbuffered, or the terminal would show nothing until exit.
  if (isPython && env.PYTHONUNBUFFERED === undefined) env.PYTHONUNBUFFERED = '1';
  return {
    interpreter,
    request: {
      command: withDefaultInterpreter([script.fsPath, ...settings.args], interpreter?.path),
      cwd,
      env,
      runsDir: path.join(workspaceFolder ?? cwd, RUNS_DIR),
      // The runners ship in the extension's dist/ folder; the extension's root comes from VS Code.
      runnersDir: vscode.Uri.joinPath(extensionUri, 'dist').fsPath,
      sampleHz: isPython ? settings.sampleHz : settings.nodeSampleHz,
      stdio: 'pipe',
      nvidiaSmi: settings.nvidiaSmiPath === '' ? undefined : settings.nvidiaSmiPath,
    },
  };
}

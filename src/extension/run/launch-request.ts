/** From "this file, with my settings" to the host's RunRequest. */
import path from 'node:path';
import * as vscode from 'vscode';
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
  // Runs start where the user's terminal would: the workspace folder, so relative data paths work.
  const folder = vscode.workspace.getWorkspaceFolder(script);
  const cwd = folder?.uri.fsPath ?? path.dirname(script.fsPath);
  const env: NodeJS.ProcessEnv = { ...process.env, ...settings.env };
  // stdout is a pipe, not a tty: unbuffered, or the terminal would show nothing until exit.
  if (isPython && env.PYTHONUNBUFFERED === undefined) env.PYTHONUNBUFFERED = '1';
  return {
    interpreter,
    request: {
      command: withDefaultInterpreter([script.fsPath, ...settings.args], interpreter?.path),
      cwd,
      env,
      runsDir: path.join(cwd, RUNS_DIR),
      // The runners ship in the extension's dist/ folder; the extension's root comes from VS Code.
      runnersDir: vscode.Uri.joinPath(extensionUri, 'dist').fsPath,
      sampleHz: isPython ? settings.sampleHz : settings.nodeSampleHz,
      stdio: 'pipe',
      nvidiaSmi: settings.nvidiaSmiPath === '' ? undefined : settings.nvidiaSmiPath,
    },
  };
}

/**
 * Which Python runs the script: the interpreter selected in the Python extension when it is
 * installed, else `trainlens.pythonPath`, else `python3`. Without the Python extension nothing
 * here fails: TrainLens must activate and run on its own.
 */
import { PVSC_EXTENSION_ID, PythonExtension } from '@vscode/python-extension';
import * as vscode from 'vscode';

export type InterpreterSource = 'python-extension' | 'setting' | 'default';

export interface Interpreter {
  path: string;
  source: InterpreterSource;
}

export const DEFAULT_PYTHON = 'python3';

export async function pythonInterpreter(resource: vscode.Uri, configuredPath: string, log: vscode.LogOutputChannel): Promise<Interpreter> {
  const selected = await fromPythonExtension(resource, log);
  if (selected) return { path: selected, source: 'python-extension' };
  if (configuredPath !== '') return { path: configuredPath, source: 'setting' };
  return { path: DEFAULT_PYTHON, source: 'default' };
}

async function fromPythonExtension(resource: vscode.Uri, log: vscode.LogOutputChannel): Promise<string | undefined> {
  // Checked first: PythonExtension.api() throws when the extension is missing, and a missing
  // extension is the normal case here, not an error to log.
  if (!vscode.extensions.getExtension(PVSC_EXTENSION_ID)) return undefined;
  try {
    const api = await PythonExtension.api();
    const active = api.environments.getActiveEnvironmentPath(resource);
    const resolved = await api.environments.resolveEnvironment(active);
    const executable = resolved?.executable.uri?.fsPath;
    if (!executable) log.info(`the Python extension has no interpreter for ${resource.fsPath}; falling back`);
    return executable;
  } catch (error) {
    log.warn(`could not ask the Python extension for an interpreter: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * Reads `trainlens.*`. Restricted settings go through inspect() so that, in an untrusted
 * workspace, a value from the workspace's own settings is ignored (see RESTRICTED_SETTINGS).
 */
import * as vscode from 'vscode';
import { effectiveValue, runSettings, type RunSettings } from '../core/editor-view/run-settings';
import { SETTING_DEFAULTS, SETTINGS_SECTION } from '../core/editor-view/settings-defaults';

export function readRunSettings(scope: vscode.Uri | undefined): RunSettings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  return runSettings((key) => effectiveValue(key, config.inspect(key), vscode.workspace.isTrusted));
}

export function statusBarEnabled(): boolean {
  const key = 'statusBar.enabled';
  const value = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<unknown>(key);
  return typeof value === 'boolean' ? value : SETTING_DEFAULTS[key];
}

/** `trainlens.openPanelOnRun`: the panel opens as a run starts, instead of when asked. */
export function openPanelOnRun(): boolean {
  const key = 'openPanelOnRun';
  const value = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<unknown>(key);
  return typeof value === 'boolean' ? value : SETTING_DEFAULTS[key];
}

export function affectsStatusBar(event: vscode.ConfigurationChangeEvent): boolean {
  return event.affectsConfiguration(`${SETTINGS_SECTION}.statusBar`);
}

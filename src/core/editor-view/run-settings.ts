/**
 * Turns raw configuration values into the settings a run uses. Values come from a settings.json a
 * user may have hand-edited, so each is checked; a bad value falls back to the default and says why.
 */
import { RESTRICTED_SETTINGS, SETTING_DEFAULTS, SETTING_LIMITS, type SettingKey } from './settings-defaults';

/** The shape of `WorkspaceConfiguration.inspect()` that matters here. */
export interface InspectedSetting {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/**
 * The value that applies. In an untrusted workspace a restricted setting ignores the workspace
 * and folder values: only the user's own (global) value or the default count.
 */
export function effectiveValue(key: SettingKey, inspected: InspectedSetting | undefined, trusted: boolean): unknown {
  const defaultValue = inspected?.defaultValue ?? SETTING_DEFAULTS[key];
  if (!trusted && RESTRICTED_SETTINGS.includes(key)) return inspected?.globalValue ?? defaultValue;
  return inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue ?? defaultValue;
}

export interface RunSettings {
  sampleHz: number;
  nodeSampleHz: number;
  args: string[];
  env: Record<string, string>;
  /** Empty: not set. */
  pythonPath: string;
  nvidiaSmiPath: string;
  /** `workspaceFolder`, `fileDirectory`, or a folder path; resolved by run-folder.ts. */
  cwd: string;
  /** One line per value that was ignored, for the log. */
  problems: string[];
}

export function runSettings(read: (key: SettingKey) => unknown): RunSettings {
  const problems: string[] = [];
  const rejected = (key: SettingKey, why: string): void => {
    problems.push(`trainlens.${key}: ${why}`);
  };
  const rate = (key: 'sampleHz' | 'nodeSampleHz'): number => {
    const value = read(key);
    const limits = SETTING_LIMITS[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || (limits && (value < limits.min || value > limits.max))) {
      rejected(key, `must be a number${limits ? ` from ${limits.min} to ${limits.max}` : ''}; using the default`);
      return SETTING_DEFAULTS[key];
    }
    return value;
  };
  const text = (key: 'pythonPath' | 'nvidiaSmiPath' | 'cwd'): string => {
    const value = read(key);
    if (typeof value !== 'string') {
      rejected(key, 'must be a string; using the default');
      return SETTING_DEFAULTS[key];
    }
    return value.trim();
  };
  return {
    sampleHz: rate('sampleHz'),
    nodeSampleHz: rate('nodeSampleHz'),
    args: stringArray(read('args'), rejected),
    env: stringMap(read('env'), rejected),
    pythonPath: text('pythonPath'),
    nvidiaSmiPath: text('nvidiaSmiPath'),
    cwd: text('cwd') || SETTING_DEFAULTS.cwd,
    problems,
  };
}

function stringArray(value: unknown, rejected: (key: SettingKey, why: string) => void): string[] {
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return [...value];
  rejected('args', 'must be an array of strings; using the default');
  return [...SETTING_DEFAULTS.args];
}

function stringMap(value: unknown, rejected: (key: SettingKey, why: string) => void): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    rejected('env', 'must be an object of strings; using the default');
    return { ...SETTING_DEFAULTS.env };
  }
  const env: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    // One bad entry should not throw away the others: drop just that variable.
    if (typeof v === 'string') env[name] = v;
    else rejected('env', `entry "${name}" is not a string and is left out`);
  }
  return env;
}

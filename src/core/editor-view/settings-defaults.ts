/**
 * The code's side of the `trainlens.*` settings contributed in package.json. A test checks that
 * package.json's defaults, limits and restricted list equal these, so the two cannot drift.
 */

export const SETTINGS_SECTION = 'trainlens';

export interface SettingDefaults {
  sampleHz: number;
  nodeSampleHz: number;
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  pythonPath: string;
  nvidiaSmiPath: string;
  /** `workspaceFolder`, `fileDirectory`, or a folder path (see run-folder.ts). */
  cwd: string;
  'statusBar.enabled': boolean;
  ceilings: boolean;
  openPanelOnRun: boolean;
  /** Tune Training's time budget (host/tune/tuner.ts's DEFAULT_BUDGET_S by default). */
  'tune.budgetSeconds': number;
}

export type SettingKey = keyof SettingDefaults;

export const SETTING_DEFAULTS: Readonly<SettingDefaults> = {
  // Equal to the host's DEFAULT_PYTHON_SAMPLE_HZ / DEFAULT_NODE_SAMPLE_HZ (checked by a test).
  sampleHz: 50,
  nodeSampleHz: 50,
  args: [],
  env: {},
  pythonPath: '',
  nvidiaSmiPath: '',
  cwd: 'workspaceFolder',
  'statusBar.enabled': true,
  ceilings: false,
  openPanelOnRun: false,
  'tune.budgetSeconds': 300,
};

/** Python's sampler runs inside the interpreter, so it gets a lower ceiling than V8's profiler. */
export const SETTING_LIMITS: Readonly<Partial<Record<SettingKey, { min: number; max: number }>>> = {
  sampleHz: { min: 1, max: 1000 },
  nodeSampleHz: { min: 1, max: 10_000 },
  // Below 10 s the baseline alone (3 s of steady steps after start-up) leaves nothing for trials.
  'tune.budgetSeconds': { min: 10, max: 86_400 },
};

/**
 * Settings that choose what runs (an executable, its arguments, its environment): a cloned
 * repository must not be able to set them, so a workspace value counts only in a trusted workspace.
 */
export const RESTRICTED_SETTINGS: readonly SettingKey[] = ['pythonPath', 'nvidiaSmiPath', 'args', 'env', 'cwd', 'tune.budgetSeconds'];

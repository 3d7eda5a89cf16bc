/**
 * `trainlens.tune.budgetSeconds` as Tune Training uses it: a hand-edited value out of range or not a
 * number falls back to the default and says why (as run-settings.ts does for the run's settings).
 */
import { SETTING_DEFAULTS, SETTING_LIMITS } from '../editor-view/settings-defaults';

export const BUDGET_SETTING = 'tune.budgetSeconds';

export function tuneBudgetSeconds(value: unknown): { seconds: number; problem: string | null } {
  const limits = SETTING_LIMITS[BUDGET_SETTING];
  const fallback = SETTING_DEFAULTS[BUDGET_SETTING];
  if (typeof value !== 'number' || !Number.isFinite(value) || (limits && (value < limits.min || value > limits.max))) {
    const range = limits ? ` from ${limits.min} to ${limits.max}` : '';
    return { seconds: fallback, problem: `trainlens.${BUDGET_SETTING}: must be a number${range}; using ${fallback} s` };
  }
  return { seconds: value, problem: null };
}

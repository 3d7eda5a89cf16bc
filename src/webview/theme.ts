/**
 * Chart colours from the editor theme. Canvas cannot use CSS variables, so each variable
 * (panel.css maps --tl-* to --vscode-* with fallbacks) is resolved through a probe element.
 */
import type { StageName } from '../protocol/events';

export interface ChartTheme {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  font: string;
  blue: string;
  green: string;
  purple: string;
  yellow: string;
  /** Opaque, softened stage colours for the stacked areas (no blending where they overlap). */
  stageFill: Record<StageName, string>;
  stageLine: Record<StageName, string>;
}

const STAGE_VARS: Record<StageName, string> = {
  data: '--tl-stage-data',
  forward: '--tl-stage-forward',
  backward: '--tl-stage-backward',
  // Never in one run together with forward (the framework decides), so they may share a colour.
  forwardBackward: '--tl-stage-forward',
  optimizer: '--tl-stage-optimizer',
  other: '--tl-stage-other',
};

export function readTheme(): ChartTheme {
  const probe = document.createElement('span');
  probe.style.display = 'none';
  document.body.append(probe);
  const resolve = (variable: string): string => {
    probe.style.color = `var(${variable})`;
    return getComputedStyle(probe).color;
  };
  const background = resolve('--tl-background');
  const stageLine = {} as Record<StageName, string>;
  const stageFill = {} as Record<StageName, string>;
  for (const [stage, variable] of Object.entries(STAGE_VARS) as Array<[StageName, string]>) {
    stageLine[stage] = resolve(variable);
    stageFill[stage] = mix(stageLine[stage], background, 0.7);
  }
  const theme: ChartTheme = {
    foreground: resolve('--tl-foreground'),
    muted: resolve('--tl-muted'),
    grid: mix(resolve('--tl-grid'), background, 0.35),
    background,
    font: `11px ${getComputedStyle(document.body).fontFamily}`,
    blue: resolve('--tl-blue'),
    green: resolve('--tl-green'),
    purple: resolve('--tl-purple'),
    yellow: resolve('--tl-yellow'),
    stageFill,
    stageLine,
  };
  probe.remove();
  return theme;
}

function rgbOf(color: string): [number, number, number, number] | null {
  const m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,\s/]+([\d.]+))?\s*\)$/.exec(color);
  if (!m) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
}

/** `color` at weight t over `base`, as an opaque rgb(); unparseable colours pass through. */
function mix(color: string, base: string, t: number): string {
  const a = rgbOf(color);
  const b = rgbOf(base);
  if (!a || !b) return color;
  const w = t * a[3];
  const channel = (i: 0 | 1 | 2): number => Math.round(a[i] * w + b[i] * (1 - w));
  return `rgb(${channel(0)}, ${channel(1)}, ${channel(2)})`;
}

/** `color` with alpha a, for fills under a line. */
export function withAlpha(color: string, alpha: number): string {
  const c = rgbOf(color);
  return c ? `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${alpha * c[3]})` : color;
}

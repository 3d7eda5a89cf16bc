/**
 * Stage colours: TrainLens's own theme colours, one default per theme kind, told apart at a glance
 * in every kind. Issue 18: data rgb(209,134,22) and other rgb(191,136,3) read as one orange.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { STAGE_NAMES } from '../../src/protocol/events';

interface ColorContribution {
  id: string;
  defaults: Record<string, string>;
}

const manifest = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { contributes: { colors: ColorContribution[] } };
const css = fs.readFileSync('media/panel.css', 'utf8');
const THEME_KINDS = ['dark', 'light', 'highContrast', 'highContrastLight'] as const;
/** The panel's five colours; forwardBackward shares forward's (theme.ts: never in one run together). */
const STAGES = STAGE_NAMES.filter((s) => s !== 'forwardBackward');
/**
 * CIE76 distance in CIELAB. About 2 is the smallest difference people see side by side; issue 18's
 * data/other pair, which users could not tell apart in small chart areas, is under 10. Between
 * different hues a clear difference at a glance is several times that: require 30.
 */
const MIN_DELTA_E = 30;

const idOf = (stage: string): string => `trainlens.stage${stage[0]?.toUpperCase()}${stage.slice(1)}`;

function lab(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not an opaque #rrggbb colour: ${hex}`);
  const [r, g, b] = [m[1], m[2], m[3]].map((c) => {
    const v = parseInt(c as string, 16) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  // sRGB → XYZ (D65), normalised by the white point, → L*a*b*.
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number): number => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

function deltaE(a: string, b: string): number {
  const [p, q] = [lab(a), lab(b)];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

describe('stage colours', () => {
  const contributed = new Map(manifest.contributes.colors.map((c) => [c.id, c.defaults]));

  it('would have caught issue 18: its data and other colours are closer than the bound', () => {
    assert.ok(deltaE('#d18616', '#bf8803') < MIN_DELTA_E);
  });

  it('are contributed for every theme kind and differ pairwise in each', () => {
    for (const kind of THEME_KINDS) {
      const colours = STAGES.map((stage) => [stage, contributed.get(idOf(stage))?.[kind] ?? assert.fail(`${idOf(stage)} has no ${kind} default`)] as const);
      for (const [i, [a, ca]] of colours.entries()) {
        for (const [b, cb] of colours.slice(i + 1)) {
          const d = deltaE(ca, cb);
          assert.ok(d >= MIN_DELTA_E, `${kind}: ${a} ${ca} and ${b} ${cb} differ by ΔE ${d.toFixed(1)}`);
        }
      }
    }
  });

  it("follow the theme in the panel: each --tl-stage-* reads the contributed colour, falling back to its dark default", () => {
    for (const stage of STAGES) {
      const variable = `--vscode-${idOf(stage).replace('.', '-')}`;
      const fallback = new RegExp(`--tl-stage-${stage}: var\\(${variable}, (#[0-9a-f]{6})\\);`, 'i').exec(css)?.[1];
      assert.equal(fallback, contributed.get(idOf(stage))?.dark, stage);
    }
  });
});

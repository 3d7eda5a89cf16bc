/**
 * Golden fix cases on disk: test/fixtures/fixes/<fix-id>/<case>.before.<ext> with either
 * <case>.after.<ext> (the expected file) or <case>.refused.txt (the expected reason), and an
 * optional <case>.case.json { context, runs } where `runs` marks a script that must still train.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { FixContext } from '../../src/core/fixes/types';

export const FIXTURES = path.resolve(__dirname, '../fixtures/fixes');
export const NODE_MODULES = path.resolve(__dirname, '../../node_modules');

const DEFAULT_CONTEXT: FixContext = { cores: 8, cuda: false };

export interface GoldenCase {
  fixId: string;
  name: string;
  before: string;
  /** Path of the expected after-file, or of the expected refusal. */
  expected: string;
  refused: boolean;
  context: FixContext;
  runs: boolean;
}

export function goldenCases(): GoldenCase[] {
  const cases: GoldenCase[] = [];
  for (const fixId of fs.readdirSync(FIXTURES).sort()) {
    const dir = path.join(FIXTURES, fixId);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const file of fs.readdirSync(dir).sort()) {
      const match = /^(.*)\.before\.(\w+)$/.exec(file);
      if (!match) continue;
      const [, name = '', ext = ''] = match;
      const base = path.join(dir, name);
      const spec = fs.existsSync(`${base}.case.json`)
        ? (JSON.parse(fs.readFileSync(`${base}.case.json`, 'utf8')) as { context?: Partial<FixContext>; runs?: boolean })
        : {};
      const refused = fs.existsSync(`${base}.refused.txt`);
      cases.push({
        fixId,
        name,
        before: path.join(dir, file),
        expected: refused ? `${base}.refused.txt` : `${base}.after.${ext}`,
        refused,
        context: { ...DEFAULT_CONTEXT, ...spec.context },
        runs: spec.runs === true,
      });
    }
  }
  return cases;
}

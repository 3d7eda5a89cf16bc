/**
 * Which code is the user's, and where it is in the source they wrote: URL/path handling, stack-string
 * parsing and source-map lookup, shared by the line sampler and the error/loader reports.
 */
import { findSourceMap, type SourceMap } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SourcePosition {
  file: string;
  /** 1-based. */
  line: number;
}

/** A user-code frame of a stack trace: where, and in which function (as V8 prints it). */
export interface UserFrame extends SourcePosition {
  fn: string;
}

/** Absolute path of a script URL or path; null for node: internals, eval code, wasm and the like. */
export function scriptPath(url: string): string | null {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return null;
    }
  }
  return path.isAbsolute(url) ? url : null;
}

/**
 * The package a library file belongs to (`@tensorflow/tfjs-core`), or null for the user's own code.
 * Libraries live under node_modules, or under a distribution's global roots (Debian installs npm,
 * tsx and friends in /usr/share/nodejs/<package>/).
 */
export function packageOf(file: string): string | null {
  const parts = file.split(/[\\/]/);
  let at = parts.lastIndexOf('node_modules');
  if (at < 0 && parts[1] === 'usr') at = parts.lastIndexOf('nodejs');
  if (at < 0) return null;
  const first = parts[at + 1];
  if (first === undefined) return null;
  return first.startsWith('@') && parts[at + 2] !== undefined ? `${first}/${parts[at + 2]}` : first;
}

export class UserCode {
  /** Source maps Node already holds (tsx registers them); null = none. Keyed by script URL/path. */
  private readonly maps = new Map<string, SourceMap | null>();

  /** @param selfFile the preload bundle itself, which is never user code. */
  constructor(private readonly selfFile: string) {}

  isUserFile(file: string): boolean {
    return file !== this.selfFile && packageOf(file) === null;
  }

  /** The preload bundle: its frames (our wrappers) are left out of call paths. */
  isOwnFile(file: string): boolean {
    return file === this.selfFile;
  }

  /**
   * Where generated (line0, column0) came from, 0-based in, 1-based out. Source maps are used only
   * when Node has them (tsx, --enable-source-maps); we never turn them on, since that would change
   * the stack traces the user's program prints.
   */
  original(url: string, file: string, line0: number, column0: number): SourcePosition {
    const map = this.mapOf(url, file);
    const entry = map?.findEntry(line0, column0) as { originalSource?: string; originalLine?: number } | undefined;
    if (entry?.originalSource === undefined || entry.originalLine === undefined) return { file, line: line0 + 1 };
    return { file: scriptPath(entry.originalSource) ?? file, line: entry.originalLine + 1 };
  }

  hasSourceMap(url: string, file: string): boolean {
    return this.mapOf(url, file) !== null;
  }

  /** Innermost user frame of a V8 stack string (`at fn (file:line:col)` lines); positions as printed. */
  userFrameOf(stack: unknown): UserFrame | null {
    if (typeof stack !== 'string') return null;
    for (const text of stack.split('\n')) {
      const match = /^\s*at (?:(.*?) \()?(.+?):(\d+):\d+\)?$/.exec(text);
      if (!match) continue;
      const file = scriptPath((match[2] as string).replace(/^async /, ''));
      const fn = (match[1] ?? '').replace(/^async /, '').replace(/ \[as .*\]$/, '');
      if (file !== null && this.isUserFile(file)) return { file, line: Number(match[3]), fn: fn || '(anonymous)' };
    }
    return null;
  }

  private mapOf(url: string, file: string): SourceMap | null {
    let map = this.maps.get(url);
    if (map === undefined) {
      try {
        map = findSourceMap(url) ?? findSourceMap(file) ?? null;
      } catch {
        map = null;
      }
      this.maps.set(url, map);
    }
    return map;
  }
}

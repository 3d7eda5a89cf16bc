/**
 * Method wrapping for the tfjs hooks. A wrapper keeps the original under WRAPPED (so nothing is
 * wrapped twice, and a benchmark can put the original back) and the original's name (stack traces
 * print as without us). Every method wrapped is remembered until unwrapAll() puts it back, when the
 * runner stops (there is one runner in a process at a time).
 */
export type Fn = (this: unknown, ...args: unknown[]) => unknown;
export type Proto = Record<string, unknown> | undefined;

export const WRAPPED = Symbol('trainlens.wrapped');

/** What the hooks' own work answers to (the runner): a failure there turns instrumentation off. */
export interface Guard {
  /** False once instrumentation is off; the hooks then only pass calls through. */
  readonly active: boolean;
  failed(error: unknown): void;
}

/** How to put each wrapped method back, in the order they were wrapped. */
const installed: Array<() => void> = [];

export function wrap(proto: Proto, name: string, make: (original: Fn) => Fn): void {
  const original = proto?.[name];
  if (!proto || typeof original !== 'function' || isWrapped(original)) return;
  const wrapped = make(original as Fn);
  Object.defineProperty(wrapped, 'name', { value: original.name });
  Object.defineProperty(wrapped, WRAPPED, { value: original });
  const own = Object.prototype.hasOwnProperty.call(proto, name);
  proto[name] = wrapped;
  installed.push(() => {
    // Whoever replaced our wrapper since keeps their method (it calls ours, which passes through).
    if (proto[name] !== wrapped) return;
    if (own) proto[name] = original;
    else delete proto[name];
  });
}

/** Puts back every method wrap() replaced, newest first. */
export function unwrapAll(): void {
  for (let undo = installed.pop(); undo; undo = installed.pop()) undo();
}

export function isWrapped(fn: object): boolean {
  return WRAPPED in fn;
}

export function prototypeOf(value: unknown): Proto {
  return typeof value === 'function' ? (value.prototype as Proto) : undefined;
}

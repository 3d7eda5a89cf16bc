/**
 * The thread count written into a script, as the tuning trial applied it (overrides.py), with the
 * thread-pools fix's edit (fixes/thread-pools.ts) at the count tuning measured fastest. The fix
 * catalogue's entry always writes 1 thread; tuning writes its own count, so it calls the edit here.
 */
import { applyEdits, detectNewline } from '../fixes/edits';
import type { Grammars } from '../fixes/grammars';
import { threadPoolsEdit } from '../fixes/thread-pools';
import type { FixResult } from '../fixes/types';

export const THREADS_EDIT_ID = 'thread-pools-env';

export function threadsEdit(grammars: Grammars, source: string, threads: number): FixResult {
  const tree = grammars.parse('python', source);
  try {
    const root = tree.rootNode;
    if (root.hasError) return { ok: false, reason: 'the file has a syntax error; fix it before setting the threads' };
    const result = threadPoolsEdit({ root, source, newline: detectNewline(source) }, threads, `${threads} measured fastest on this machine by trainlens tune`);
    if (!result.ok) return result;
    const after = grammars.parse('python', applyEdits(source, result.edits));
    try {
      return after.rootNode.hasError ? { ok: false, reason: 'setting the threads would leave the file unparsable, so it was withheld' } : result;
    } finally {
      after.delete();
    }
  } finally {
    tree.delete();
  }
}

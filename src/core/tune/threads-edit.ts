/**
 * The thread count written into a script, as the tuning trial applied it (overrides.py), with the
 * edit the workers fix writes for spinning pools (fixes/thread-pools.ts), at the count tuning
 * measured fastest, checked as the catalogue checks its fixes.
 */
import { runEdit } from '../fixes/catalogue';
import type { Grammars } from '../fixes/grammars';
import { threadPoolsEdit } from '../fixes/thread-pools';
import type { FixResult } from '../fixes/types';

export const THREADS_EDIT_ID = 'thread-pools-env';

export function threadsEdit(grammars: Grammars, source: string, threads: number): FixResult {
  return runEdit(grammars, source, 'python', THREADS_EDIT_ID, (file) =>
    threadPoolsEdit(file, threads, `${threads} measured fastest on this machine by trainlens tune`),
  );
}

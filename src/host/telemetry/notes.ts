/**
 * Telemetry never throws into the host; what went wrong becomes a note. Each code is reported at
 * most once per run, so a flapping driver or a failing callback cannot flood the log.
 */

export type TelemetryNoteCode =
  /** nvidia-smi missing, or it says no GPU/driver is usable. */
  | 'no-gpu'
  /** A long-lived nvidia-smi child stopped while the run went on. */
  | 'nvidia-smi-exited'
  /** nvidia-smi printed something other than data mid-run, e.g. a GPU that fell off the bus. */
  | 'nvidia-smi-message'
  /** The process tree could not be read (unsupported platform, /proc unreadable, ps failed). */
  | 'proc-unavailable'
  /** systeminformation failed; the hardware event falls back to what Node's os module knows. */
  | 'hardware-partial'
  /** A host callback threw. */
  | 'callback-failed';

export type Notify = (code: TelemetryNoteCode, message: string) => void;

export interface NoteSink {
  notify: Notify;
  /** Runs a host callback; an exception becomes a note instead of escaping into a timer. */
  guard(fn: () => void): void;
}

export function createNoteSink(onNote: (message: string) => void): NoteSink {
  const sent = new Set<TelemetryNoteCode>();
  const notify: Notify = (code, message) => {
    if (sent.has(code)) return;
    sent.add(code);
    try {
      onNote(message);
    } catch {
      // The note callback itself failed: nowhere left to report it.
    }
  };
  return {
    notify,
    guard(fn) {
      try {
        fn();
      } catch (err) {
        notify('callback-failed', `telemetry callback failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  };
}

/** A failure inside a sampler, with the note code it is reported under. */
export class TelemetryError extends Error {
  constructor(
    readonly code: TelemetryNoteCode,
    message: string,
  ) {
    super(message);
    this.name = 'TelemetryError';
  }
}

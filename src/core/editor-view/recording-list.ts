/** Recorded runs as the Open Recording… picker lists them: newest first, with a readable date. */

export interface RecordingItem {
  id: string;
  dir: string;
  /** e.g. "train"; the script name the id was made from. */
  name: string;
  /** e.g. "2026-11-23 10:54:31"; null when the id is not one TrainLens wrote. */
  startedAt: string | null;
}

const RUN_ID = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-(.+)-[0-9a-f]{4}$/;

/** Reads the host's run ids (`20261123-105431-train-3f9c`, see runId in the recording writer). */
export function recordingItem(id: string, dir: string): RecordingItem {
  const match = RUN_ID.exec(id);
  if (!match) return { id, dir, name: id, startedAt: null };
  const [, y, mo, d, h, mi, s, name] = match;
  return { id, dir, name: name ?? id, startedAt: `${y}-${mo}-${d} ${h}:${mi}:${s}` };
}

/** Ids start with their timestamp, so newest first is a reverse sort by id. */
export function newestFirst(items: readonly RecordingItem[]): RecordingItem[] {
  return [...items].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/**
 * `trainlens merge`: whether recordings made on several nodes are ranks of one job. Pure: the CLI
 * reads the folders and writes the merged recording.
 */
import type { RankRecording } from './ranks';

export interface NodeRecording {
  /** The folder as the user named it. */
  dir: string;
  ranks: readonly RankRecording[];
}

/** Why these recordings cannot be merged into one job, or null when they can. */
export function mergeRefusal(nodes: readonly NodeRecording[]): string | null {
  if (nodes.length < 2) return 'merge takes the recordings of two or more nodes of one job';
  const empty = nodes.find((n) => n.ranks.length === 0);
  if (empty) {
    return `${empty.dir} holds no rank: record each node with RANK and WORLD_SIZE set (torchrun and cluster schedulers set them) or with torch.multiprocessing.spawn`;
  }
  const first = nodes[0] as NodeRecording;
  const firstRank = first.ranks[0] as RankRecording;
  const owner = new Map<number, string>();
  for (const node of nodes) {
    for (const rank of node.ranks) {
      const { hello } = rank;
      if (hello.worldSize !== firstRank.hello.worldSize) {
        return `not one job: ${first.dir} has a world of ${firstRank.hello.worldSize} ranks, ${node.dir} of ${hello.worldSize}`;
      }
      if ((hello.job ?? null) !== (firstRank.hello.job ?? null)) {
        return `not one job: the ranks in ${first.dir} met at ${firstRank.hello.job ?? 'an unknown rendezvous'}, those in ${node.dir} at ${hello.job ?? 'an unknown rendezvous'}`;
      }
      if (baseName(hello.script) !== baseName(firstRank.hello.script)) {
        return `not one job: ${first.dir} ran ${baseName(firstRank.hello.script)}, ${node.dir} ran ${baseName(hello.script)}`;
      }
      const seen = owner.get(hello.rank ?? -1);
      if (seen !== undefined) return `rank ${hello.rank} is in both ${seen} and ${node.dir}: these are different runs of the job, not its nodes`;
      owner.set(hello.rank ?? -1, node.dir);
    }
  }
  return null;
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

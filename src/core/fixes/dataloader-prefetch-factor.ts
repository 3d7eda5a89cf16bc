/** dataloader-prefetch-factor: more batches in flight per worker absorb uneven loading times. */
import { dataLoaderLines, editDataLoaders, needsWorkers } from './dataloader-calls';
import { addKeyword, findArgument } from './python-args';
import { integerValue } from './python-syntax';
import { replaceNode, startLine } from './syntax';
import { versionAtLeast, type Fix } from './types';

/**
 * torch's default is 2 batches per worker. 4 rides out slow batches (cold cache, big images) at
 * the cost of workers x 4 batches held in memory.
 */
export const PREFETCH_FACTOR = 4;

export const dataloaderPrefetchFactor: Fix = {
  id: 'dataloader-prefetch-factor',
  title: `Let each DataLoader worker prepare more batches ahead (prefetch_factor=${PREFETCH_FACTOR})`,
  languages: ['python'],
  candidates: dataLoaderLines,
  apply(file, ctx) {
    if (!versionAtLeast(ctx.torchVersion, 1, 7)) {
      return { ok: false, reason: `prefetch_factor needs torch 1.7 or later, and this run has ${ctx.torchVersion}` };
    }
    return editDataLoaders(file, ctx, (args, call) => {
      const noWorkers = needsWorkers(args, 'prefetch_factor');
      if (noWorkers) return noWorkers;
      const found = findArgument(args, 'prefetch_factor', null);
      if (found.kind === 'hidden') return { refused: found.reason };
      const title = `Set prefetch_factor=${PREFETCH_FACTOR} on the DataLoader at line ${startLine(call)}`;
      if (found.kind === 'absent') return { edits: addKeyword(file, args, `prefetch_factor=${PREFETCH_FACTOR}`), title };
      const current = integerValue(found.value);
      if (current !== null && current >= PREFETCH_FACTOR) return { refused: `prefetch_factor is already ${current}` };
      if (current === null && found.value.type !== 'none') {
        return { refused: `prefetch_factor is \`${found.value.text}\`: set it where that value comes from` };
      }
      return { edits: [replaceNode(found.value, String(PREFETCH_FACTOR))], title };
    });
  },
};

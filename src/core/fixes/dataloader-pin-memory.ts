/** dataloader-pin-memory: page-locked batches copy to the GPU faster and can overlap compute. */
import { DATALOADER_POSITION, dataLoaderLines, editDataLoaders, enableOption } from './dataloader-calls';
import type { Fix } from './types';

export const dataloaderPinMemory: Fix = {
  id: 'dataloader-pin-memory',
  title: 'Pin DataLoader memory for faster copies to the GPU (pin_memory=True)',
  languages: ['python'],
  candidates: dataLoaderLines,
  apply(file, ctx) {
    if (!ctx.cuda) return { ok: false, reason: 'pin_memory only speeds up copies to a CUDA device, and this run has no CUDA' };
    return editDataLoaders(file, ctx, (args, call) => enableOption(file, args, call, 'pin_memory', DATALOADER_POSITION.pin_memory));
  },
};

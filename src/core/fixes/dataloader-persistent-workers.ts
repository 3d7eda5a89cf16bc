/** dataloader-persistent-workers: keep workers between epochs instead of forking them again. */
import { dataLoaderLines, editDataLoaders, enableOption, needsWorkers } from './dataloader-calls';
import { versionAtLeast, type Fix } from './types';

export const dataloaderPersistentWorkers: Fix = {
  id: 'dataloader-persistent-workers',
  title: 'Keep DataLoader workers alive between epochs (persistent_workers=True)',
  languages: ['python'],
  candidates: dataLoaderLines,
  apply(file, ctx) {
    if (!versionAtLeast(ctx.torchVersion, 1, 7)) {
      return { ok: false, reason: `persistent_workers needs torch 1.7 or later, and this run has ${ctx.torchVersion}` };
    }
    return editDataLoaders(file, ctx, (args, call) => {
      return needsWorkers(args, 'persistent_workers') ?? enableOption(file, args, call, 'persistent_workers', null);
    });
  },
};

import type { EngineClient } from '../../core/engine/engineClient';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import { resolveStoreDir } from '../settings/settings';
import { engineOf, trackingOf, type StoreAccess } from '../store/storeService';

/**
 * What a training, tuning, search, re-run or script started in this window works with: the
 * workspace store's tracking and engine — this window's, or those of the window or process that
 * holds it — and the store's folder on this disk, for the files a worker reads there.
 */
export interface WorkspaceTraining {
  readonly tracking: TrackingStore;
  readonly engine: EngineClient;
  readonly storeDir: string;
}

/** The workspace store to train into, or why there is none (no folder, no store yet, a team's MLflow server, a broken store). */
export function workspaceTrainingOf(access: StoreAccess): WorkspaceTraining | { readonly unavailable: string } {
  const tracking = trackingOf(access);
  const engine = engineOf(access);
  const storeDir = access.state === 'client' && access.origin === 'engine' ? access.dir : resolveStoreDir();
  if (tracking && engine && storeDir) return { tracking, engine, storeDir };
  switch (access.state) {
    case 'noFolder':
      return { unavailable: 'open a folder first: runs are kept in the workspace store' };
    case 'absent':
      return { unavailable: `there is no workspace store at ${access.dir} yet` };
    case 'client':
      return access.origin === 'remote'
        ? { unavailable: `${access.message} This needs the workspace store: clear mlops.tracking.uri to use it.` }
        : { unavailable: 'no folder is open for the workspace store' };
    default:
      return { unavailable: 'message' in access ? access.message : 'the workspace store is not available' };
  }
}

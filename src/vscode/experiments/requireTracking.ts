import type { TrackingStore } from '../../core/tracking/trackingStore';
import { trackingOf, type StoreService } from '../store/storeService';

/**
 * The tracking store this window works with — its own workspace store, the writer window's server
 * or a team's MLflow server — or an error that says why there is none.
 */
export async function requireTracking(storeService: StoreService): Promise<TrackingStore> {
  const access = await storeService.access();
  const tracking = trackingOf(access);
  if (tracking) return tracking;
  if (access.state === 'noFolder') throw new Error('no folder is open: runs are kept in the workspace store of the open folder.');
  if (access.state === 'absent') throw new Error(`there is no workspace store at ${access.dir} yet: it is created when the first run is logged.`);
  throw new Error(`the workspace store cannot be used: ${access.message}`);
}

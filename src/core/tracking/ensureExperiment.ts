import type { TrackingStore } from './trackingStore';

/**
 * The id of the experiment called `name`, created when there is none. Safe when several
 * processes (parallel scripts, trials, a window and a terminal) ask for the same new name at
 * once: whoever loses the race to create it gets the winner's.
 */
export async function ensureExperiment(tracking: Pick<TrackingStore, 'getExperimentByName' | 'createExperiment'>, name: string): Promise<string> {
  const existing = await tracking.getExperimentByName(name);
  if (existing) return existing.experimentId;
  try {
    return await tracking.createExperiment(name);
  } catch (error) {
    const again = await tracking.getExperimentByName(name);
    if (again) return again.experimentId;
    throw error;
  }
}

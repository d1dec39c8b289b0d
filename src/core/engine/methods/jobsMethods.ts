import { runningEngineJobs, type EngineJobInfo } from '../engineJobs';
import type { EngineContext, EngineMethodTable } from '../engineMethod';

/** The jobs running in the engine, whoever started them: a window lists them after a reload. */
export const jobsMethods = {
  'jobs.running': ({ store }: EngineContext, _params: Record<string, never>): EngineJobInfo[] => runningEngineJobs(store),
} satisfies EngineMethodTable;

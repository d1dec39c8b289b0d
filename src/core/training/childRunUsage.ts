import { USAGE_METRIC } from '../process/systemMetrics';
import type { TrackingStore } from '../tracking/trackingStore';
import type { MetricInput } from '../tracking/trackingTypes';

const SUMMED = [USAGE_METRIC.cpuSeconds, USAGE_METRIC.gpuSeconds, USAGE_METRIC.cost] as const;

/**
 * What the child runs of a study or a model search used together — pruned, failed and killed
 * ones too, since they used the machine as well: `cpu_seconds`, `gpu_seconds` and `cost` summed,
 * as metrics for the parent run. Metrics no child has are left out.
 */
export async function childRunUsageTotals(store: TrackingStore, experimentId: string, parentRunId: string): Promise<MetricInput[]> {
  const sums = new Map<string, number>();
  let pageToken: string | undefined;
  do {
    const page = await store.searchRuns({ experimentIds: [experimentId], filter: `tags.mlflow.parentRunId = '${parentRunId}'`, maxResults: 1000, ...(pageToken ? { pageToken } : {}) });
    for (const run of page.runs) {
      for (const metric of run.data.metrics) {
        if ((SUMMED as readonly string[]).includes(metric.key) && Number.isFinite(metric.value)) sums.set(metric.key, (sums.get(metric.key) ?? 0) + metric.value);
      }
    }
    pageToken = page.nextPageToken;
  } while (pageToken);
  const timestamp = Date.now();
  return [...sums].map(([key, value]) => ({ key, value, step: 0, timestamp }));
}

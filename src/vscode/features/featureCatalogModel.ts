/** The catalog panel's data from parsed specs, freshness and statistics (no vscode import: unit-tested directly). */
import type { FeatureStatistics } from '../../core/features/featureStats';
import type { FeatureSpecFile } from '../../core/features/featureWorkspace';
import type { FeatureCatalogEntry, FeatureCatalogState, FeatureStatsView } from '../../protocol/featureCatalog/featureCatalogContract';
import { lineOfName, ttlText } from './featureTreeModel';

export function catalogState(files: readonly FeatureSpecFile[], displayPath: (file: string) => string, now: number): FeatureCatalogState {
  const features: FeatureCatalogEntry[] = [];
  const problems: FeatureCatalogState['problems'] = [];
  for (const spec of files) {
    const file = displayPath(spec.file);
    if (!spec.repo) {
      for (const i of spec.issues ?? []) problems.push({ file, line: i.line, column: i.column, field: i.field, message: i.message });
      continue;
    }
    const lines = spec.text.split(/\r?\n/);
    for (const view of spec.repo.views) {
      const meta = spec.metas.get(view.name);
      const viewLine = lineOfName(lines, view.name, Math.max(0, lines.findIndex((l) => l.startsWith('feature_views:'))));
      for (const f of view.features) {
        features.push({
          id: `${view.name}:${f.name}`,
          view: view.name,
          name: f.name,
          type: f.type,
          owner: view.owner ?? null,
          tags: [...new Set([...view.tags, ...f.tags])],
          description: f.description ?? null,
          viewDescription: view.description ?? null,
          entities: [...view.entities],
          ttl: ttlText(view.ttlMs),
          file,
          line: lineOfName(lines, f.name, viewLine, viewLine),
          materializedAt: meta?.materializedAt ?? null,
          rows: meta?.rows ?? null,
          latestEventTime: meta?.latestEventTime ?? null,
        });
      }
    }
  }
  return { specFiles: files.length, problems, features, now };
}

const finite = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : v);

export function statsView(stats: FeatureStatistics): FeatureStatsView {
  return {
    count: stats.count,
    missing: stats.missing,
    missingShare: stats.missingShare,
    min: finite(stats.min),
    max: finite(stats.max),
    mean: finite(stats.mean),
    std: finite(stats.std),
    distinct: stats.distinct,
    distribution: stats.distribution,
  };
}

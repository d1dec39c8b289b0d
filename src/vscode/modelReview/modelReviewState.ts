import type { EvaluationCurves } from '../../core/evaluation/evaluationCurves';
import type { VersionFeedback } from '../../core/feedback/versionFeedback';
import type { RegistryModelCards } from '../../core/engine/methods/registryMethods';
import type { ModelCard } from '../../core/registry/modelCard';
import type { ClassCurveView, CurvesView, ModelReviewState, VersionCardView, VersionFeedbackView } from '../../protocol/modelReview/modelReviewContract';

/** NaN and infinities do not survive postMessage's JSON and mean "not measured" here: null. */
function finite(value: number | null | undefined): number | null {
  return value !== null && value !== undefined && Number.isFinite(value) ? value : null;
}

function finiteRecord(record: Readonly<Record<string, number>>): Record<string, number | null> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, finite(value)]));
}

function curvesView(curves: EvaluationCurves | null): CurvesView | null {
  if (!curves) return null;
  if (curves.task === 'regression') {
    return {
      task: 'regression',
      predictedVsActual: curves.predictedVsActual.map(([a, p]) => [a, p]),
      residuals: { edges: [...curves.residuals.edges], counts: [...curves.residuals.counts] },
    };
  }
  const view = (list: typeof curves.roc): ClassCurveView[] =>
    list.map((c) => ({ label: c.label, points: c.points.map(([x, y]) => [x, y]), area: finite(c.area) }));
  return { task: 'classification', roc: view(curves.roc), pr: view(curves.pr) };
}

function feedbackView(feedback: VersionFeedback): VersionFeedbackView {
  const endpoint = feedback.endpoint;
  return {
    endpoint: endpoint
      ? { count: endpoint.count, ratedCount: endpoint.ratedCount, meanRating: finite(endpoint.meanRating), labels: Object.entries(endpoint.labels).sort((a, b) => b[1] - a[1]), lastAt: endpoint.lastAt }
      : null,
    textEvaluations: feedback.textEvaluations.map((e) => ({
      runId: e.runId,
      runName: e.runName,
      startTime: e.startTime,
      metrics: finiteRecord(e.metrics),
      rougeStemming: e.rougeStemming,
      feedback: { count: e.feedback.count, meanRating: finite(e.feedback.meanRating), thumbsUpShare: finite(e.feedback.thumbsUpShare) },
    })),
  };
}

export function cardView(card: ModelCard): VersionCardView {
  const signature = card.signature;
  const output = signature
    ? signature.output.task === 'classification'
      ? `${signature.output.target}: one of ${signature.output.classes.join(', ')}`
      : `${signature.output.target}: ${signature.output.type}`
    : '';
  return {
    name: card.version.name,
    version: card.version.version,
    uri: card.uri,
    aliases: [...card.version.aliases],
    stage: card.version.currentStage,
    description: card.description,
    createdAt: card.version.creationTime,
    registeredBy: card.registeredBy,
    trainedBy: card.trainedBy,
    ...(card.version.external ? { external: { source: card.version.source } } : {}),
    task: card.task,
    target: card.target,
    modelType: card.modelType,
    backend: card.backend,
    parameters: card.parameters,
    sizeBytes: card.sizeBytes,
    signature: signature
      ? { inputs: signature.inputs.map((i) => ({ name: i.name, type: i.type, categories: i.categories ? [...i.categories] : null, optional: i.optional ?? false })), output }
      : null,
    evaluation: finiteRecord(card.evaluation),
    training: finiteRecord(card.training),
    trainingMetricsAt: card.trainingMetricsAt,
    trainedFor: card.trainedFor ? { ...card.trainedFor } : null,
    trainingUsage: { cpuSeconds: finite(card.trainingUsage.cpuSeconds), cost: finite(card.trainingUsage.cost), predictLatencyP99Ms: finite(card.trainingUsage.predictLatencyP99Ms) },
    confusionMatrix: card.confusionMatrix ? { labels: [...card.confusionMatrix.labels], matrix: card.confusionMatrix.matrix.map((row) => [...row]) } : null,
    curves: curvesView(card.curves),
    featureImportance: card.featureImportance ? card.featureImportance.features.map((f) => ({ name: f.name, importance: finite(f.importance) ?? 0, ...(f.permutation !== undefined ? { permutation: finite(f.permutation) } : {}) })) : null,
    permutationMetric: card.featureImportance?.permutation?.metric ?? null,
    dataset: { digest: card.dataset.digest, source: card.dataset.source, name: card.dataset.name },
    params: { ...card.params },
    run: { ...card.run },
    files: { spec: card.files.spec !== null, evaluationReport: card.files.evaluationReport !== null },
    feedback: card.feedback ? feedbackView(card.feedback) : null,
  };
}

/**
 * Everything the panel shows for the cards the engine read (in the order of the subject's
 * versions: the first is the baseline of the deltas).
 */
export async function modelReviewState({ model, cards, pendingReviews }: RegistryModelCards): Promise<ModelReviewState> {
  const { compareVersions } = await import('../../core/registry/versionComparison');
  const comparison = cards.length >= 2 ? compareVersions(cards) : null;
  return {
    model: {
      name: model.name,
      description: model.description,
      requireReview: model.requireReview,
      aliases: Object.entries(model.aliases).map(([alias, version]) => ({ alias, version })),
      versionCount: model.versionCount,
    },
    versions: cards.map(cardView),
    comparison: comparison
      ? {
          metrics: comparison.metrics.map((m) => ({ key: m.key, values: m.values.map(finite), deltas: m.deltas.map(finite), higherIsBetter: m.higherIsBetter, best: m.best })),
          params: comparison.params.map((p) => ({ key: p.key, values: [...p.values], differs: p.differs })),
          inputs: comparison.inputs.map((i) => ({ name: i.name, types: [...i.types], differs: i.differs })),
          outputDiffers: comparison.outputDiffers,
          datasetDiffers: comparison.datasetDiffers,
        }
      : null,
    pendingReviews: pendingReviews.map((r) => ({
      reviewId: r.reviewId,
      alias: r.alias,
      version: r.version,
      previousVersion: r.previousVersion,
      requestedBy: r.requestedBy,
      requestedAt: r.requestedAt,
      comment: r.comment,
    })),
  };
}

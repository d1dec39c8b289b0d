import type { ModelSignature } from '../modelPackage/modelPackageFormat';

/** MLflow's stage field, kept for compatibility with clients that still use stages. */
export const MODEL_STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type ModelStage = (typeof MODEL_STAGES)[number];

export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'READY' | 'FAILED_REGISTRATION';

export interface RegistryTag {
  readonly key: string;
  readonly value: string;
}

export interface RegisteredModel {
  readonly name: string;
  /** stable id: a model deleted and created again under the same name gets a new one */
  readonly modelId: string;
  readonly description: string;
  readonly tags: readonly RegistryTag[];
  /** moving an alias needs an approved review */
  readonly requireReview: boolean;
  readonly creationTime: number;
  readonly lastUpdatedTime: number;
  readonly createdBy: string;
  /** alias → version */
  readonly aliases: Readonly<Record<string, number>>;
  readonly latestVersion: number | null;
  readonly versionCount: number;
}

export interface ModelVersion {
  readonly name: string;
  readonly version: number;
  /** where the files came from: `runs:/<runId>/<path>` */
  readonly source: string;
  readonly runId: string;
  readonly status: ModelVersionStatus;
  readonly currentStage: ModelStage;
  readonly description: string;
  readonly tags: readonly RegistryTag[];
  readonly aliases: readonly string[];
  readonly creationTime: number;
  readonly lastUpdatedTime: number;
  readonly createdBy: string;
  readonly signature: ModelSignature | null;
  /** bytes of the frozen copy */
  readonly sizeBytes: number;
  /** absolute folder of the frozen, immutable copy: `model/` (the package) and `evaluation/` */
  readonly storageDir: string;
  /** the model package folder inside it, what `loadModelPackage` (serving) takes */
  readonly packageDir: string;
  /**
   * true for a version registered through the MLflow REST API from a source that is not a model
   * package here (MLflow registers any source): no frozen copy, `storageDir`/`packageDir` empty
   */
  readonly external?: boolean;
}

export type ReviewStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'CANCELLED';

/** A request to point an alias of a model at a version, waiting for (or given) a decision. */
export interface AliasReview {
  readonly reviewId: number;
  readonly name: string;
  readonly alias: string;
  readonly version: number;
  /** the version the alias pointed to when the review was requested */
  readonly previousVersion: number | null;
  readonly status: ReviewStatus;
  readonly requestedBy: string;
  readonly requestedAt: number;
  readonly comment: string;
  readonly decidedBy: string | null;
  readonly decidedAt: number | null;
  readonly decisionComment: string | null;
}

export const AUDIT_ACTIONS = [
  'model.created',
  'model.described',
  'model.tagged',
  'model.tag_deleted',
  'model.review_setting',
  'model.renamed',
  'model.deleted',
  'version.registered',
  'version.described',
  'version.tagged',
  'version.tag_deleted',
  'version.stage',
  'version.deleted',
  'alias.set',
  'alias.moved',
  'alias.deleted',
  'review.requested',
  'review.approved',
  'review.rejected',
  'review.cancelled',
  'retrain.decided',
  'retrain.failed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One line of the append-only audit log. */
export interface AuditEntry {
  /** position in the whole store's log (every model's entries share it) */
  readonly seq: number;
  /** position in its model's own history, from 1: what a model's history numbers its entries by */
  readonly number: number;
  readonly time: number;
  readonly actor: string;
  readonly action: AuditAction;
  readonly name: string;
  readonly version: number | null;
  readonly alias: string | null;
  /** what changed, e.g. { from: 2, to: 3 } for an alias move, { key, value } for a tag */
  readonly detail: Readonly<Record<string, unknown>>;
}

/** Which version an alias pointed to over a stretch of time. */
export interface AliasHolding {
  readonly name: string;
  readonly alias: string;
  readonly version: number;
  readonly from: number;
  /** null while it still holds */
  readonly until: number | null;
  readonly setBy: string;
}

export interface RegistryChange {
  readonly kind: 'model' | 'version' | 'alias' | 'review';
  readonly name: string;
  readonly version?: number;
}

/** Who does something: an explicit actor, or the registry's default (git user.name, else the OS user). */
export interface ActorOption {
  readonly actor?: string;
}

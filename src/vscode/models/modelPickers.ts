/**
 * How the Models view's commands name what they act on when they run from the command palette
 * (no clicked node): quick picks with the likeliest choice first.
 */
import * as vscode from 'vscode';
import type { RegistryBackend } from '../../core/registry/registryBackend';
import type { AliasReview, ModelVersion, RegisteredModel } from '../../core/registry/registryTypes';
import { aliasOrder } from './modelsTreeProvider';

const NO_MODEL = 'MLOps: no model is registered yet. Train a model, then "MLOps: Register Model…".';

/** Every version of every model (a round trip per model: the palette's pickers, not a view). */
export async function allVersions(registry: RegistryBackend): Promise<ModelVersion[]> {
  const models = await registry.listModels();
  return (await Promise.all(models.map((m) => registry.listVersions(m.name)))).flat();
}

/** A version to point an alias at: the newest versions first (the one just registered is usually meant). */
export async function pickVersionForAlias(registry: RegistryBackend, title = 'MLOps: Set Alias — which version?'): Promise<ModelVersion | undefined> {
  const versions = (await allVersions(registry)).sort((a, b) => b.creationTime - a.creationTime || b.version - a.version);
  if (versions.length === 0) {
    void vscode.window.showInformationMessage(NO_MODEL);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    versions.map((v) => ({
      label: `${v.name} v${v.version}`,
      description: [...v.aliases].sort((a, b) => aliasOrder(a) - aliasOrder(b)).map((a) => `@${a}`).join(' ') || 'no alias',
      detail: `registered ${new Date(v.creationTime).toLocaleString()} by ${v.createdBy}`,
      version: v,
    })),
    { title, placeHolder: 'Newest first', matchOnDescription: true },
  );
  return picked?.version;
}

/** A pending review to decide, oldest first: it has waited longest. */
export async function pickPendingReview(registry: RegistryBackend, decision: 'approve' | 'reject'): Promise<AliasReview | undefined> {
  const reviews = (await registry.pendingReviews()).sort((a, b) => a.requestedAt - b.requestedAt);
  if (reviews.length === 0) {
    void vscode.window.showInformationMessage('MLOps: no review is pending. Reviews are requested by "Set Alias…" on a model that requires review.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    reviews.map((r) => ({
      label: `Review #${r.reviewId}: ${r.name} @${r.alias} → v${r.version}`,
      description: `${r.requestedBy} · ${r.previousVersion === null ? 'new alias' : `now v${r.previousVersion}`}`,
      detail: r.comment,
      review: r,
    })),
    { title: `MLOps: ${decision === 'approve' ? 'Approve' : 'Reject'} Review — which one?`, placeHolder: 'Pending reviews, oldest first', matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.review;
}

/** A model, the most recently changed first. */
export async function pickModel(registry: RegistryBackend, title: string): Promise<RegisteredModel | undefined> {
  const models = (await registry.listModels()).sort((a, b) => b.lastUpdatedTime - a.lastUpdatedTime);
  if (models.length === 0) {
    void vscode.window.showInformationMessage(NO_MODEL);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    models.map((m) => ({
      label: m.name,
      description: `${m.versionCount} version${m.versionCount === 1 ? '' : 's'} · ${m.requireReview ? 'alias moves need review' : 'aliases move directly'}`,
      model: m,
    })),
    { title, placeHolder: 'Which model?' },
  );
  return picked?.model;
}

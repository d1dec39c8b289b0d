import { basename } from 'node:path';
import * as vscode from 'vscode';
import { allowsSelfApproval, describeReviewPolicy } from '../../core/registry/reviewPolicy';
import type { WorkspaceRegistry } from '../../core/engine/engineRegistryBackend';
import type { Run } from '../../core/tracking/trackingTypes';
import type { ExperimentsNode } from '../experiments/experimentsTreeProvider';
import { headlineMetric } from '../experiments/runHeadline';
import { trackingOf, type StoreService } from '../store/storeService';
import { pickModel, pickPendingReview, pickVersionForAlias } from './modelPickers';
import { aliasOrder, WELL_KNOWN_ALIASES, type ModelsNode } from './modelsTreeProvider';
import { openWorkspaceRegistry } from './workspaceRegistry';
import { exportModel } from './exportModelCommand';

export interface ModelsCommandDependencies {
  readonly storeService: StoreService;
  readonly log: vscode.LogOutputChannel;
  /** refreshes the Models view right away (the store's change event also does, a moment later) */
  readonly refresh: () => void;
}

type VersionNode = Extract<ModelsNode, { kind: 'version' }>;
type ReviewNode = Extract<ModelsNode, { kind: 'review' }>;
type ModelNode = Extract<ModelsNode, { kind: 'model' }>;

/** Commands of the Models view and "Register Model…" on runs of the Experiments view. */
export function registerModelsCommands(deps: ModelsCommandDependencies): vscode.Disposable[] {
  const guarded = <A extends unknown[]>(name: string, body: (registry: WorkspaceRegistry, ...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      try {
        const opened = await openWorkspaceRegistry(deps.storeService);
        if (!('registry' in opened)) {
          void vscode.window.showWarningMessage(`MLOps: ${opened.message ?? 'there is no workspace store yet: train a model first.'}`);
          return;
        }
        await body(opened.registry, ...args);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        deps.log.error(`${name}: ${message}`);
        void vscode.window.showErrorMessage(`MLOps: ${message}`);
      }
    };

  return [
    vscode.commands.registerCommand('mlops.registerModel', guarded('Register Model', (registry, node?: ExperimentsNode) => registerModel(registry, deps, node))),
    vscode.commands.registerCommand('mlops.setAlias', guarded('Set Alias', (registry, node?: VersionNode) => setAlias(registry, deps, node))),
    vscode.commands.registerCommand('mlops.copyModelUri', guarded('Copy Model URI', (registry, node?: VersionNode) => copyModelUri(registry, node))),
    vscode.commands.registerCommand('mlops.deleteModelVersion', guarded('Delete Model Version', (registry, node?: VersionNode) => deleteVersion(registry, deps, node))),
    vscode.commands.registerCommand('mlops.revealModelFiles', guarded('Reveal Model Files', async (registry, node?: VersionNode) => {
      const version = node?.kind === 'version' ? await registry.getVersion(node.version.name, node.version.version) : undefined;
      if (version) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(version.storageDir));
    })),
    vscode.commands.registerCommand('mlops.exportModel', guarded('Export Model', (registry, node?: VersionNode) =>
      exportModel(registry, node?.kind === 'version' ? { name: node.version.name, version: node.version.version } : undefined, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath),
    )),
    vscode.commands.registerCommand('mlops.approveReview', guarded('Approve Review', (registry, node?: ReviewNode) => decideReview(registry, deps, node, 'approve'))),
    vscode.commands.registerCommand('mlops.rejectReview', guarded('Reject Review', (registry, node?: ReviewNode) => decideReview(registry, deps, node, 'reject'))),
    vscode.commands.registerCommand('mlops.editDescription', guarded('Edit Description', (registry, node?: ModelNode | VersionNode) => editDescription(registry, deps, node))),
    vscode.commands.registerCommand('mlops.setReviewPolicy', guarded('Review Policy', (registry, node?: ModelNode | VersionNode) => setReviewPolicy(registry, deps, node))),
    vscode.commands.registerCommand('mlops.deleteModel', guarded('Delete Model', (registry, node?: ModelNode) => deleteModel(registry, deps, node))),
    vscode.commands.registerCommand('mlops.showModelHistory', guarded('Show History', (_registry, node?: ModelNode | VersionNode) => showHistory(node))),
    vscode.workspace.registerTextDocumentContentProvider(HISTORY_SCHEME, historyProvider(deps)),
    vscode.commands.registerCommand('mlops.refreshModels', () => deps.refresh()),
  ];
}

/** A run picked in the Experiments view, or (from the palette) one of the recent runs that trained a model. */
async function pickRun(deps: ModelsCommandDependencies, node: ExperimentsNode | undefined): Promise<Run | undefined> {
  if (node?.kind === 'run') return node.run;
  const tracking = trackingOf(await deps.storeService.access());
  if (!tracking) return undefined;
  const [{ runs }, { experiments }] = await Promise.all([
    tracking.searchRuns({ filter: "tags.`mlops.model` = 'model'", orderBy: ['attributes.start_time DESC'], maxResults: 100 }),
    tracking.searchExperiments({ maxResults: 1000 }),
  ]);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('MLOps: no run has trained a model yet. Train one with "MLOps: Train Model…", then register it.');
    return undefined;
  }
  const experimentNames = new Map(experiments.map((e) => [e.experimentId, e.name]));
  const picked = await vscode.window.showQuickPick(
    runs.map((run) => {
      const metric = headlineMetric(run);
      return {
        label: run.info.runName || run.info.runId.slice(0, 8),
        // which experiment and how good: what tells two runs of the same spec apart
        description: [experimentNames.get(run.info.experimentId), metric ? `${metric.key} ${metric.text}` : undefined].filter(Boolean).join(' · '),
        detail: `started ${new Date(run.info.startTime).toLocaleString()} · ${run.info.runId}`,
        run,
      };
    }),
    { title: 'Register Model: which run?', placeHolder: 'Runs that trained a model, newest first', matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.run;
}

/** Models with a version trained from the run's spec, or named after it. */
async function relatedModels(deps: ModelsCommandDependencies, registry: WorkspaceRegistry, run: Run): Promise<string[]> {
  const spec = run.data.tags.find((t) => t.key === 'mlops.spec')?.value;
  const suggested = suggestedName(run);
  const tracking = trackingOf(await deps.storeService.access());
  const related: string[] = [];
  for (const model of await registry.listModels()) {
    if (model.name === suggested) {
      related.push(model.name);
      continue;
    }
    if (!spec || !tracking || model.latestVersion === null) continue;
    const latest = await registry.getVersion(model.name, model.latestVersion).catch(() => undefined);
    if (!latest) continue;
    const source = await tracking.getRun(latest.runId).catch(() => undefined);
    if (source?.data.tags.some((t) => t.key === 'mlops.spec' && t.value === spec)) related.push(model.name);
  }
  return related;
}

/** A model name suggested for a run: its spec file's name ("penguins.train.yaml" → "penguins"). */
function suggestedName(run: Run): string {
  const spec = run.data.tags.find((t) => t.key === 'mlops.spec')?.value;
  const fromSpec = spec ? basename(spec).replace(/\.train\.ya?ml$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') : '';
  return fromSpec || 'model';
}

async function registerModel(registry: WorkspaceRegistry, deps: ModelsCommandDependencies, node: ExperimentsNode | undefined): Promise<void> {
  const run = await pickRun(deps, node);
  if (!run) return;
  const { checkModelName } = await import('../../core/registry/registryNames');
  const models = await registry.listModels();
  const NEW = '$(add) New model…';
  let name: string | undefined;
  if (models.length > 0) {
    // A model whose versions came from the same spec (or that bears the spec's name) is what a
    // second run of that spec is registered into: it comes first, before "New model…".
    const related = new Set(await relatedModels(deps, registry, run));
    const describe = (m: (typeof models)[number]): string =>
      `${m.versionCount} version${m.versionCount === 1 ? '' : 's'}${m.latestVersion === null ? '' : `, next v${m.latestVersion + 1}`}${related.has(m.name) ? ' · same spec' : ''}`;
    const items = [
      ...models.filter((m) => related.has(m.name)).map((m) => ({ label: m.name, description: describe(m), name: m.name as string | undefined })),
      { label: NEW, description: `e.g. ${suggestedName(run)}`, name: undefined as string | undefined },
      ...models.filter((m) => !related.has(m.name)).map((m) => ({ label: m.name, description: describe(m), name: m.name as string | undefined })),
    ];
    const picked = await vscode.window.showQuickPick(items, { title: `Register ${run.info.runName || run.info.runId.slice(0, 8)} as a version of…`, placeHolder: 'An existing model, or a new one' });
    if (!picked) return;
    name = picked.name;
  }
  if (name === undefined) {
    name = await vscode.window.showInputBox({
      title: 'Register Model: new model name',
      value: suggestedName(run),
      prompt: 'Letters, digits, ".", "_" and "-"; it becomes part of model URIs (models:/NAME@champion)',
      validateInput: (value) => {
        try {
          checkModelName(value);
          return models.some((m) => m.name === value) ? `"${value}" already exists; it will get a new version` : undefined;
        } catch (error) {
          return (error as Error).message;
        }
      },
    });
    if (name === undefined) return;
  }
  const modelName = name;
  const version = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Registering ${modelName}…` }, () => registry.registerVersion(run.info.runId, modelName));
  deps.log.info(`Registered run ${run.info.runId} as models:/${version.name}/${version.version}`);
  deps.refresh();
  const setAliasAction = 'Set Alias…';
  const choice = await vscode.window.showInformationMessage(`MLOps: registered models:/${version.name}/${version.version}.`, setAliasAction);
  if (choice === setAliasAction) await vscode.commands.executeCommand('mlops.setAlias', { kind: 'version', version, metrics: [], requireReview: (await registry.getModel(version.name)).requireReview } satisfies VersionNode);
}

async function setAlias(registry: WorkspaceRegistry, deps: ModelsCommandDependencies, node: VersionNode | undefined): Promise<void> {
  const target = node?.kind === 'version' ? node.version : await pickVersionForAlias(registry);
  if (!target) return;
  const { name, version } = target;
  const { checkAlias } = await import('../../core/registry/registryNames');
  const model = await registry.getModel(name);
  const OTHER = 'other';
  const existing = Object.keys(model.aliases);
  const names = [...new Set([...WELL_KNOWN_ALIASES, ...existing])].sort((a, b) => aliasOrder(a) - aliasOrder(b) || (a < b ? -1 : 1));
  const picked = await vscode.window.showQuickPick(
    [
      ...names.map((alias) => {
        const current = model.aliases[alias];
        return {
          label: `@${alias}`,
          description: current === undefined ? 'not set' : current === version ? `already v${version}` : `now v${current} → v${version}`,
          alias: alias as string | undefined,
        };
      }),
      { label: '$(edit) Other alias…', description: 'any name: letters, digits, "_" and "-"', alias: OTHER as string | undefined },
    ],
    { title: `${model.requireReview ? 'Request review: point' : 'Point'} an alias of ${name} at v${version}`, placeHolder: model.requireReview ? 'This model requires an approved review to move an alias' : 'Pick an alias' },
  );
  if (!picked?.alias) return;
  let alias = picked.alias;
  if (alias === OTHER) {
    const typed = await vscode.window.showInputBox({
      title: `Alias for ${name} v${version}`,
      placeHolder: 'e.g. shadow, prod-eu',
      validateInput: (value) => {
        try {
          checkAlias(value);
          return undefined;
        } catch (error) {
          return (error as Error).message;
        }
      },
    });
    if (typed === undefined) return;
    alias = typed;
  }
  if (model.aliases[alias] === version) {
    void vscode.window.showInformationMessage(`MLOps: @${alias} of ${name} already points to v${version}.`);
    return;
  }
  if (model.requireReview) {
    const comment = await vscode.window.showInputBox({
      title: `Request review: @${alias} of ${name} → v${version}`,
      prompt: 'Why should it move? The reviewer sees this, and the audit log keeps it.',
      validateInput: (value) => (value.trim() === '' ? 'A review request needs a comment' : undefined),
    });
    if (comment === undefined) return;
    const review = await registry.requestReview(name, alias, version, comment.trim());
    deps.refresh();
    void vscode.window.showInformationMessage(`MLOps: review #${review.reviewId} requested: @${alias} of ${name} → v${version}. Approve it from the Models view.`);
    return;
  }
  const before = model.aliases[alias];
  await registry.setAlias(name, alias, version);
  deps.refresh();
  void vscode.window.showInformationMessage(`MLOps: @${alias} of ${name} now points to v${version}${before === undefined ? ' (a new alias)' : ` (was v${before})`}: models:/${name}@${alias} serves it.`);
}

async function copyModelUri(registry: WorkspaceRegistry, node: VersionNode | undefined): Promise<void> {
  if (node?.kind !== 'version') return;
  const version = await registry.getVersion(node.version.name, node.version.version);
  const uris = [`models:/${version.name}/${version.version}`, ...[...version.aliases].sort((a, b) => aliasOrder(a) - aliasOrder(b)).map((a) => `models:/${version.name}@${a}`)];
  let uri = uris[0] as string;
  if (uris.length > 1) {
    const picked = await vscode.window.showQuickPick(
      uris.map((u, i) => ({ label: u, description: i === 0 ? 'this version, always' : 'whatever version holds the alias' })),
      { title: 'Copy Model URI' },
    );
    if (!picked) return;
    uri = picked.label;
  }
  await vscode.env.clipboard.writeText(uri);
  void vscode.window.setStatusBarMessage(`$(check) Copied ${uri}`, 3000);
}

async function deleteVersion(registry: WorkspaceRegistry, deps: ModelsCommandDependencies, node: VersionNode | undefined): Promise<void> {
  if (node?.kind !== 'version') return;
  const version = await registry.getVersion(node.version.name, node.version.version);
  const aliases = version.aliases.map((a) => `@${a}`).join(', ');
  const action = 'Delete Version';
  const choice = await vscode.window.showWarningMessage(
    `Delete version ${version.version} of ${version.name}?`,
    { modal: true, detail: `Its frozen files are removed${aliases ? ` and ${aliases} will point nowhere` : ''}. The number ${version.version} is not reused; the audit log keeps its history.` },
    action,
  );
  if (choice !== action) return;
  await registry.deleteVersion(version.name, version.version);
  deps.log.info(`Deleted models:/${version.name}/${version.version}`);
  deps.refresh();
}

async function decideReview(registry: WorkspaceRegistry, deps: ModelsCommandDependencies, node: ReviewNode | undefined, decision: 'approve' | 'reject'): Promise<void> {
  const review = node?.kind === 'review' ? node.review : await pickPendingReview(registry, decision);
  if (!review) return;
  const comment = await vscode.window.showInputBox({
    title: `${decision === 'approve' ? 'Approve' : 'Reject'} review #${review.reviewId}: @${review.alias} of ${review.name} → v${review.version}`,
    prompt: `Requested by ${review.requestedBy}: ${review.comment}`,
    placeHolder: 'Comment (optional)',
  });
  if (comment === undefined) return;
  const result = decision === 'approve' ? await registry.approveReview(review.reviewId, { comment }) : await registry.rejectReview(review.reviewId, { comment });
  deps.refresh();
  void vscode.window.showInformationMessage(
    `MLOps: review #${result.reviewId} ${result.status.toLowerCase()}${decision === 'approve' ? `: @${result.alias} of ${result.name} now points to v${result.version}` : `: @${result.alias} of ${result.name} stays where it was`}.`,
  );
}

/** From a model, one of its versions (next to Set Alias…, which the policy governs), or the palette. */
async function setReviewPolicy(registry: WorkspaceRegistry, deps: ModelsCommandDependencies, node: ModelNode | VersionNode | undefined): Promise<void> {
  const name = node?.kind === 'model' ? node.model.name : node?.kind === 'version' ? node.version.name : (await pickModel(registry, 'MLOps: Review Policy — which model?'))?.name;
  if (name === undefined) return;
  const model = await registry.getModel(name);
  const selfApproval = allowsSelfApproval(model);
  const current = (require: boolean, self: boolean): string => (model.requireReview === require && (!require || selfApproval === self) ? 'current' : '');
  const picked = await vscode.window.showQuickPick(
    [
      { label: '$(shield) Require review by someone else', description: current(true, false), detail: 'Moving an alias needs a request with a comment, then an approval by another person; both are in the audit log.', require: true, self: false },
      { label: '$(person) Require review (the requester may approve)', description: current(true, true), detail: 'For a one-person project: the request and the approval are still recorded.', require: true, self: true },
      { label: '$(unlock) Move aliases directly', description: current(false, selfApproval), detail: 'Anyone can point an alias at a version; the audit log still records who and when.', require: false, self: selfApproval },
    ],
    { title: `Alias moves of ${model.name}` },
  );
  if (!picked || (picked.require === model.requireReview && picked.self === selfApproval)) return;
  await registry.setRequireReview(model.name, picked.require);
  await registry.setSelfApproval(model.name, picked.self);
  deps.refresh();
  void vscode.window.showInformationMessage(`MLOps: ${model.name}: ${describeReviewPolicy(await registry.getModel(model.name))}.`);
}

/** A version's (or a model's) description, the markdown its card shows: edited where the user is, not only with the CLI. */
async function editDescription(registry: WorkspaceRegistry, deps: ModelsCommandDependencies, node: ModelNode | VersionNode | undefined): Promise<void> {
  const target = node?.kind === 'model' ? { name: node.model.name } : node?.kind === 'version' ? { name: node.version.name, version: node.version.version } : await pickVersionForAlias(registry, 'MLOps: Edit Description — which version?');
  if (!target) return;
  const version = 'version' in target ? target.version : undefined;
  const current = version === undefined ? (await registry.getModel(target.name)).description : (await registry.getVersion(target.name, version)).description;
  const label = version === undefined ? target.name : `${target.name} v${version}`;
  const description = await vscode.window.showInputBox({
    title: `Description of ${label}`,
    prompt: 'Markdown, shown on the model card and in MLflow clients. Empty clears it.',
    value: current,
    ignoreFocusOut: true,
  });
  if (description === undefined || description === current) return;
  if (version === undefined) await registry.setModelDescription(target.name, description);
  else await registry.setVersionDescription(target.name, version, description);
  deps.refresh();
  void vscode.window.showInformationMessage(`MLOps: ${description.trim() === '' ? 'cleared the description of' : 'saved the description of'} ${label}.`);
}

async function deleteModel(registry: WorkspaceRegistry, deps: ModelsCommandDependencies, node: ModelNode | undefined): Promise<void> {
  if (node?.kind !== 'model') return;
  const model = await registry.getModel(node.model.name);
  const action = 'Delete Model';
  const choice = await vscode.window.showWarningMessage(
    `Delete the model ${model.name} and its ${model.versionCount} version${model.versionCount === 1 ? '' : 's'}?`,
    { modal: true, detail: 'Their frozen files and aliases are removed; runs are not touched. The audit log keeps the whole history.' },
    action,
  );
  if (choice !== action) return;
  await registry.deleteModel(model.name);
  deps.log.info(`Deleted the registered model ${model.name}`);
  deps.refresh();
}

/** Read-only documents with a model's history: `mlops-model-history:/<name>.md`. */
const HISTORY_SCHEME = 'mlops-model-history';

function historyProvider(deps: ModelsCommandDependencies): vscode.TextDocumentContentProvider {
  return {
    provideTextDocumentContent: async (uri: vscode.Uri): Promise<string> => {
      const name = decodeURIComponent(uri.path.replace(/^\//, '').replace(/\.md$/, ''));
      const opened = await openWorkspaceRegistry(deps.storeService);
      if (!('registry' in opened)) return `# ${name}\n\n${opened.message ?? 'The workspace store is not open.'}\n`;
      return historyMarkdown(opened.registry, name);
    },
  };
}

/** The model's aliases over time and its audit log, newest first, as markdown tables. */
async function historyMarkdown(registry: WorkspaceRegistry, name: string): Promise<string> {
  const { describeAuditEntry } = await import('../../core/registry/auditText');
  const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const time = (ms: number): string => new Date(ms).toLocaleString();
  const [holdings, entries] = await Promise.all([registry.aliasHistory(name), registry.auditLog({ name, newestFirst: true })]);
  return [
    `# ${name}: history`,
    '',
    '## Aliases over time',
    '',
    ...(holdings.length === 0
      ? ['No alias was ever set.']
      : ['| Alias | Version | From | Until | Set by |', '| --- | --- | --- | --- | --- |', ...holdings.map((h) => `| @${cell(h.alias)} | v${h.version} | ${time(h.from)} | ${h.until === null ? 'now' : time(h.until)} | ${cell(h.setBy)} |`)]),
    '',
    '## Audit log (newest first)',
    '',
    ...(entries.length === 0
      ? ['Nothing recorded.']
      : ['| # | When | Who | What | Detail |', '| --- | --- | --- | --- | --- |', ...entries.map((e) => `| ${e.number} | ${time(e.time)} | ${cell(e.actor)} | ${e.action} | ${cell(describeAuditEntry(e))} |`)]),
    '',
  ].join('\n');
}

async function showHistory(node: ModelNode | VersionNode | undefined): Promise<void> {
  const name = node?.kind === 'model' ? node.model.name : node?.kind === 'version' ? node.version.name : undefined;
  if (name === undefined) return;
  // A fresh query string each time: VS Code caches provider documents by URI.
  const uri = vscode.Uri.from({ scheme: HISTORY_SCHEME, path: `/${encodeURIComponent(name)}.md`, query: String(Date.now()) });
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true }); // the built-in markdown extension is disabled
  }
}

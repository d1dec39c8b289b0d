import type { Command } from 'commander';
import type { RegistryBackend } from '../../core/registry/registryBackend';
import { describeAuditEntry } from '../../core/registry/auditText';
import { describeReviewPolicy } from '../../core/registry/reviewPolicy';
import type { ModelVersion, ReviewStatus } from '../../core/registry/registryTypes';
import { CliError, type CliGlobalOptions } from '../cliContext';
import { withCliStore, type CliStore } from '../cliStore';
import { parseAtDate } from './modelsCliDates';
import { registerModelsExportCommand } from './modelsExportCommand';
import { withWorkspaceRegistry, workspaceRegistryOf } from './modelsWorkspaceRegistry';
import { collect, formatNumber, formatTime, parseKeyValues, printJson, printTable } from './trackingCliSupport';

const SUMMARY_METRICS = ['test_accuracy', 'test_f1_macro', 'test_precision_macro', 'test_recall_macro', 'test_roc_auc', 'test_log_loss', 'test_rmse', 'test_mae', 'test_r2'];

interface ActorOptions {
  actor?: string;
}

/** The registry this invocation works on (the workspace's, or an MLflow server's) for one command. */
async function withRegistry<T>(program: Command, action: (registry: RegistryBackend, store: CliStore, globals: CliGlobalOptions) => Promise<T>, options: { create?: boolean } = {}): Promise<T> {
  const globals = program.opts<CliGlobalOptions>();
  return withCliStore(globals, async (store) => action((await workspaceRegistryOf(store, globals)) ?? (await store.registry()), store, globals), options);
}

function actorOf(options: ActorOptions): { actor?: string } {
  return options.actor === undefined ? {} : { actor: options.actor };
}

function aliasBadges(aliases: readonly string[]): string {
  return aliases.map((a) => `@${a}`).join(' ');
}

function printVersion(version: ModelVersion, where: CliStore): void {
  // Through the engine the version's frozen files are on this disk (the holder runs here too).
  const filesHere = where.engine !== undefined;
  const rows: [string, string][] = [
    ['model', version.name],
    ['version', String(version.version)],
    ['uri', `models:/${version.name}/${version.version}`],
    ['aliases', aliasBadges(version.aliases) || '-'],
    ['stage', version.currentStage],
    ['status', version.status],
    ['run', version.runId],
    ['source', version.source],
    ['registered', `${formatTime(version.creationTime)} by ${version.createdBy}`],
    ...(!filesHere ? [['files', `on ${where.where}`] as [string, string]] : [['size', `${version.sizeBytes} bytes`] as [string, string], ['files', version.storageDir] as [string, string]]),
  ];
  if (version.signature) {
    rows.push(['inputs', version.signature.inputs.map((i) => `${i.name}:${i.type}`).join(', ')]);
    const out = version.signature.output;
    rows.push(['output', out.task === 'classification' ? `${out.target} (${out.classes.join(', ')})` : `${out.target}:double`]);
  }
  for (const tag of version.tags) rows.push([`tag ${tag.key}`, tag.value]);
  if (version.description) rows.push(['description', version.description.split('\n')[0] ?? '']);
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n');
}

/** A model given as NAME, NAME VERSION, NAME/VERSION, NAME@ALIAS or a models:/ URI. */
async function resolveTarget(registry: RegistryBackend, target: string, version: string | undefined): Promise<{ name: string; version?: ModelVersion }> {
  if (target.startsWith('models:/')) {
    const resolved = await registry.resolveUri(target);
    return { name: resolved.name, version: resolved };
  }
  if (version !== undefined) return { name: target, version: await registry.getVersion(target, version) };
  if (target.includes('@') || target.includes('/')) {
    const resolved = await registry.resolveUri(`models:/${target}`);
    return { name: resolved.name, version: resolved };
  }
  return { name: target };
}

/** `mlops models …`: the model registry from a terminal. */
export function registerModelsCommand(program: Command): void {
  const models = program.command('models').description('registered models: versions, aliases, reviews and their history');
  registerModelsExportCommand(models, program);

  models
    .command('list', { isDefault: true })
    .description('list registered models')
    .action(async () =>
      withRegistry(program, async (registry, store, globals) => {
        const all = await registry.listModels();
        if (globals.json) return printJson(all);
        if (all.length === 0) {
          process.stdout.write(`no registered models on ${store.where} (mlops models register RUN_ID --name NAME)\n`);
          return;
        }
        printTable(
          ['NAME', 'VERSIONS', 'LATEST', 'ALIASES', 'REVIEW', 'UPDATED'],
          all.map((m) => [
            m.name,
            String(m.versionCount),
            m.latestVersion === null ? '-' : `v${m.latestVersion}`,
            Object.entries(m.aliases).map(([a, v]) => `@${a}=v${v}`).join(' ') || '-',
            m.requireReview ? 'required' : '-',
            formatTime(m.lastUpdatedTime),
          ]),
        );
      }),
    );

  models
    .command('show <model> [version]')
    .description('show a model and its versions, or one version (NAME 3, NAME/3, NAME@champion, models:/NAME@champion)')
    .action(async (target: string, version: string | undefined) =>
      withRegistry(program, async (registry, store, globals) => {
        const resolved = await resolveTarget(registry, target, version);
        const workspace = await workspaceRegistryOf(store, globals);
        if (resolved.version && !workspace) {
          // What MLflow keeps: the version, and the metrics and data of the run it came from.
          const run = resolved.version.runId ? await store.tracking.getRun(resolved.version.runId).catch(() => undefined) : undefined;
          if (globals.json) return printJson({ ...resolved.version, run: run ?? null });
          printVersion(resolved.version, store);
          const metrics = (run?.data.metrics ?? []).filter((m) => SUMMARY_METRICS.includes(m.key));
          if (metrics.length > 0) process.stdout.write(`metrics   ${metrics.map((m) => `${m.key}=${formatNumber(m.value)}`).join('  ')}\n`);
          const dataset = run?.inputs.datasetInputs[0];
          if (dataset) process.stdout.write(`dataset   ${dataset.source} (digest ${dataset.digest})\n`);
          const backend = run?.data.tags.find((t) => t.key === 'mlops.backend')?.value;
          if (backend) process.stdout.write(`backend   ${backend}\n`);
          if (run) {
            const { loggedTrainingLength, runLog, trainingLengthText } = await import('../../core/training/trainingLength');
            const logged = runLog(run);
            const length = loggedTrainingLength(logged.params['model.type'], logged);
            if (length) process.stdout.write(`training  ${trainingLengthText(length)}\n`);
          }
          return;
        }
        if (resolved.version && workspace) {
          const card = (await workspace.modelCards(resolved.name, [resolved.version.version])).cards[0];
          if (!card) throw new CliError(`${resolved.name} v${resolved.version.version}: no model card`, 1);
          if (globals.json) return printJson(card);
          printVersion(resolved.version, store);
          // Per-class figures (test_f1_Adelie, …) belong to the card panel; the summary ones fit a line.
          const metrics = Object.entries(card.evaluation).filter(([key]) => SUMMARY_METRICS.includes(key));
          if (metrics.length > 0) process.stdout.write(`metrics   ${metrics.map(([k, v]) => `${k}=${formatNumber(v)}`).join('  ')}\n`);
          if (card.dataset.digest) process.stdout.write(`dataset   ${card.dataset.source ?? '?'} (digest ${card.dataset.digest})\n`);
          if (card.backend) process.stdout.write(`backend   ${card.backend}\n`);
          // in the model type's words: a booster's rounds and a forest's trees are not epochs
          if (card.trainedFor) process.stdout.write(`training  ${card.trainedFor.label.toLowerCase()}: ${card.trainedFor.value}\n`);
          // Only when there is something: most versions are not text models.
          if (card.feedback && (card.feedback.textEvaluations.length > 0 || (card.feedback.endpoint?.count ?? 0) > 0)) {
            const { printVersionFeedback } = await import('./versionFeedbackText');
            process.stdout.write('\n');
            printVersionFeedback(card.uri, card.feedback);
          }
          return;
        }
        const model = await registry.getModel(resolved.name);
        const versions = await registry.listVersions(resolved.name);
        if (globals.json) return printJson({ ...model, versions });
        process.stdout.write(`${model.name}${model.requireReview ? '  (alias moves need review)' : ''}\n`);
        if (model.description) process.stdout.write(`${model.description}\n`);
        for (const tag of model.tags) process.stdout.write(`tag ${tag.key}=${tag.value}\n`);
        process.stdout.write('\n');
        if (versions.length === 0) {
          process.stdout.write('no versions\n');
          return;
        }
        printTable(
          ['VERSION', 'ALIASES', 'STAGE', 'RUN', 'REGISTERED', 'BY'],
          versions.map((v) => [`v${v.version}`, aliasBadges(v.aliases) || '-', v.currentStage, v.runId, formatTime(v.creationTime), v.createdBy]),
        );
      }),
    );

  models
    .command('compare <model> <versions...>')
    .description('versions side by side: test metrics with deltas against the first, params and inputs that differ')
    .action(async (name: string, versions: string[]) =>
      withWorkspaceRegistry(program, async (registry, _store, globals) => {
        if (versions.length < 2) throw new CliError('compare needs at least two versions, e.g. mlops models compare churn 3 4');
        const { compareVersions } = await import('../../core/registry/versionComparison');
        const { cards } = await registry.modelCards(name, versions.map((v) => v.replace(/^v/, '')));
        const diff = compareVersions(cards);
        if (globals.json) return printJson(diff);
        const head = ['', ...diff.versions.map((v) => `v${v.version}${v.aliases.length ? ` ${v.aliases.map((a) => `@${a}`).join(' ')}` : ''}`)];
        const value = (v: number | null, delta: number | null, best: boolean): string =>
          v === null ? '-' : `${formatNumber(v)}${delta !== null && delta !== 0 ? ` (${delta > 0 ? '+' : ''}${formatNumber(delta)})` : ''}${best ? ' *' : ''}`;
        const metrics = diff.metrics.filter((m) => SUMMARY_METRICS.includes(m.key));
        if (metrics.length > 0) printTable(['METRIC', ...head.slice(1)], metrics.map((m) => [m.key, ...m.values.map((v, i) => value(v, i === 0 ? null : (m.deltas[i] ?? null), m.best === i))]));
        const params = diff.params.filter((p) => p.differs);
        process.stdout.write('\n');
        if (params.length === 0) process.stdout.write('params: all the same\n');
        else printTable(['PARAM', ...head.slice(1)], params.map((p) => [p.key, ...p.values.map((v) => v ?? '-')]));
        const inputs = diff.inputs.filter((i) => i.differs);
        process.stdout.write(inputs.length === 0 && !diff.outputDiffers ? 'signature: the same\n' : '');
        if (inputs.length > 0) printTable(['INPUT', ...head.slice(1)], inputs.map((i) => [i.name, ...i.types.map((t) => t ?? '-')]));
        if (diff.outputDiffers) process.stdout.write('output: differs between versions\n');
        process.stdout.write(diff.datasetDiffers ? 'training data: different datasets\n' : 'training data: the same dataset\n');
      }),
    );

  models
    .command('register <runId>')
    .description("register a run's model package as the next version of a model (created if new)")
    .requiredOption('-n, --name <name>', 'registered model name')
    .option('--path <artifactPath>', 'model package folder in the run artifacts', 'model')
    .option('-d, --description <markdown>', 'version description')
    .option('-t, --tag <key=value>', 'version tag (repeatable)', collect)
    .option('--actor <name>', 'who registers (default: $MLOPS_ACTOR, else git user.name, else the OS user)')
    .action(async (runId: string, options: ActorOptions & { name: string; path: string; description?: string; tag?: string[] }) =>
      withRegistry(
        program,
        async (registry, _store, globals) => {
          const version = await registry.registerVersion(runId, options.name, {
            artifactPath: options.path,
            ...(options.description === undefined ? {} : { description: options.description }),
            tags: parseKeyValues(options.tag, '--tag'),
            ...actorOf(options),
          });
          if (globals.json) return printJson(version);
          process.stdout.write(`registered models:/${version.name}/${version.version}\n`);
        },
        { create: false },
      ),
    );

  const alias = models.command('alias').description('point aliases (champion, challenger, …) at versions');
  alias
    .command('set <model> <alias> <version>')
    .description('point ALIAS at VERSION (fails if the model requires review: use review request)')
    .option('--actor <name>', 'who does it')
    .action(async (name: string, aliasName: string, version: string, options: ActorOptions) =>
      withRegistry(program, async (registry, _store, globals) => {
        const before = (await registry.getModel(name)).aliases[aliasName];
        const result = await registry.setAlias(name, aliasName, version, actorOf(options));
        if (globals.json) return printJson(result);
        process.stdout.write(before === undefined ? `@${aliasName} → v${result.version}\n` : before === result.version ? `@${aliasName} already on v${result.version}\n` : `@${aliasName} v${before} → v${result.version}\n`);
      }),
    );
  alias
    .command('delete <model> <alias>')
    .description('remove an alias')
    .option('--actor <name>', 'who does it')
    .action(async (name: string, aliasName: string, options: ActorOptions) =>
      withRegistry(program, async (registry) => {
        await registry.deleteAlias(name, aliasName, actorOf(options));
        process.stdout.write(`@${aliasName} removed from ${name}\n`);
      }),
    );

  models
    .command('history <model>')
    .description('the audit log of a model; with --alias, which versions held it; with --alias and --at, which version held it then')
    .option('-a, --alias <alias>', 'only this alias')
    .option('--at <date>', 'a moment: 2026-03-01 (end of that day, local time), 2026-03-01T14:00, an ISO time or epoch ms')
    .action(async (name: string, options: { alias?: string; at?: string }) =>
      withWorkspaceRegistry(program, async (registry, _store, globals) => {
        if (options.at !== undefined) {
          if (options.alias === undefined) throw new CliError('--at needs --alias: which alias do you ask about? (e.g. --alias champion)');
          const at = parseAtDate(options.at);
          const holding = await registry.aliasAt(name, options.alias, at);
          if (globals.json) return printJson({ name, alias: options.alias, at, holding: holding ?? null });
          if (!holding) {
            process.stdout.write(`no version of ${name} held @${options.alias} at ${formatTime(at)}\n`);
            return;
          }
          process.stdout.write(`v${holding.version}  (@${options.alias} of ${name} from ${formatTime(holding.from)} ${holding.until === null ? 'until now' : `to ${formatTime(holding.until)}`}, set by ${holding.setBy})\n`);
          return;
        }
        if (options.alias !== undefined) {
          const holdings = await registry.aliasHistory(name, options.alias);
          if (globals.json) return printJson(holdings);
          if (holdings.length === 0) {
            process.stdout.write(`@${options.alias} of ${name} was never set\n`);
            return;
          }
          printTable(['VERSION', 'FROM', 'UNTIL', 'SET BY'], holdings.map((h) => [`v${h.version}`, formatTime(h.from), h.until === null ? 'now' : formatTime(h.until), h.setBy]));
          return;
        }
        const entries = await registry.auditLog({ name });
        if (entries.length === 0) throw new CliError(`No history for a model named "${name}": it was never registered here (see mlops models list).`);
        if (globals.json) return printJson(entries);
        printTable(['#', 'TIME', 'WHO', 'WHAT', 'DETAIL'], entries.map((e) => [String(e.number), formatTime(e.time), e.actor, e.action, describeAuditEntry(e)]));
      }),
    );

  const review = models.command('review').description('reviews of alias moves, for models that require them');
  review
    .command('request <model> <alias> <version>')
    .description('ask for ALIAS to point at VERSION')
    .requiredOption('-m, --message <comment>', 'why (shown to the reviewer)')
    .option('--actor <name>', 'who asks')
    .action(async (name: string, aliasName: string, version: string, options: ActorOptions & { message: string }) =>
      withWorkspaceRegistry(program, async (registry, _store, globals) => {
        const request = await registry.requestReview(name, aliasName, version, options.message, actorOf(options));
        if (globals.json) return printJson(request);
        process.stdout.write(`review #${request.reviewId}: @${aliasName} of ${name} → v${request.version} (pending; mlops models review approve ${request.reviewId})\n`);
      }),
    );
  for (const decision of ['approve', 'reject'] as const) {
    review
      .command(`${decision} <reviewId>`)
      .description(decision === 'approve' ? 'approve a pending review and move the alias' : 'reject a pending review')
      .option('-m, --message <comment>', 'decision comment')
      .option('--actor <name>', 'who decides')
      .action(async (id: string, options: ActorOptions & { message?: string }) =>
        withWorkspaceRegistry(program, async (registry, _store, globals) => {
          const reviewId = Number(id.replace(/^#/, ''));
          if (!Number.isSafeInteger(reviewId) || reviewId < 1) throw new CliError(`"${id}" is not a review number (see mlops models review list)`);
          const decide = decision === 'approve' ? registry.approveReview : registry.rejectReview;
          const result = await decide(reviewId, { ...actorOf(options), ...(options.message === undefined ? {} : { comment: options.message }) });
          if (globals.json) return printJson(result);
          process.stdout.write(`review #${reviewId} ${result.status.toLowerCase()} by ${result.decidedBy ?? '?'}${decision === 'approve' ? `: @${result.alias} of ${result.name} → v${result.version}` : ''}\n`);
        }),
      );
  }
  review
    .command('list [model]')
    .description('pending reviews (--all: every review)')
    .option('--all', 'include decided reviews')
    .action(async (name: string | undefined, options: { all?: boolean }) =>
      withWorkspaceRegistry(program, async (registry, _store, globals) => {
        const status: ReviewStatus | undefined = options.all ? undefined : 'PENDING';
        const reviews = await registry.listReviews({ ...(name === undefined ? {} : { name }), ...(status === undefined ? {} : { status }) });
        if (globals.json) return printJson(reviews);
        if (reviews.length === 0) {
          process.stdout.write(options.all ? 'no reviews\n' : 'no pending reviews\n');
          return;
        }
        printTable(
          ['#', 'MODEL', 'ALIAS', 'CHANGE', 'STATUS', 'REQUESTED BY', 'DECIDED BY', 'COMMENT'],
          reviews.map((r) => [String(r.reviewId), r.name, `@${r.alias}`, `${r.previousVersion === null ? '-' : `v${r.previousVersion}`} → v${r.version}`, r.status, r.requestedBy, r.decidedBy ?? '-', r.comment]),
        );
      }),
    );

  models
    .command('require-review <model> <onOff>')
    .description('whether moving an alias of MODEL needs an approved review (on|off)')
    .option('--actor <name>', 'who does it')
    .action(async (name: string, onOff: string, options: ActorOptions) =>
      withWorkspaceRegistry(program, async (registry) => {
        if (onOff !== 'on' && onOff !== 'off') throw new CliError(`require-review takes "on" or "off", got "${onOff}"`);
        await registry.setRequireReview(name, onOff === 'on', actorOf(options));
        process.stdout.write(`${name}: alias moves ${onOff === 'on' ? 'now need' : 'no longer need'} review\n`);
      }),
    );

  models
    .command('self-approval <model> <onOff>')
    .description('whether whoever requested a review of MODEL may approve it too (on|off; off by default)')
    .option('--actor <name>', 'who does it')
    .action(async (name: string, onOff: string, options: ActorOptions) =>
      withWorkspaceRegistry(program, async (registry) => {
        if (onOff !== 'on' && onOff !== 'off') throw new CliError(`self-approval takes "on" or "off", got "${onOff}"`);
        await registry.setSelfApproval(name, onOff === 'on', actorOf(options));
        process.stdout.write(`${name}: ${describeReviewPolicy(await registry.getModel(name))}\n`);
      }),
    );

  models
    .command('describe <model> [version]')
    .description('set the markdown description of a model or a version')
    .requiredOption('-d, --description <markdown>', 'the text')
    .option('--actor <name>', 'who does it')
    .action(async (name: string, version: string | undefined, options: ActorOptions & { description: string }) =>
      withRegistry(program, async (registry) => {
        if (version === undefined) await registry.setModelDescription(name, options.description, actorOf(options));
        else await registry.setVersionDescription(name, version, options.description, actorOf(options));
        process.stdout.write('description saved\n');
      }),
    );

  models
    .command('tag <model> <keyValue> [version]')
    .description('set a tag (key=value) on a model, or on a version')
    .option('--actor <name>', 'who does it')
    .action(async (name: string, keyValue: string, version: string | undefined, options: ActorOptions) =>
      withRegistry(program, async (registry) => {
        const [tag] = parseKeyValues([keyValue], 'a tag');
        if (!tag) return;
        if (version === undefined) await registry.setModelTag(name, tag.key, tag.value, actorOf(options));
        else await registry.setVersionTag(name, version, tag.key, tag.value, actorOf(options));
        process.stdout.write(`tagged ${tag.key}=${tag.value}\n`);
      }),
    );

  models
    .command('stage <model> <version> <stage>')
    .description("MLflow's stage field (None, Staging, Production, Archived)")
    .option('--archive-existing', 'archive the versions already in that stage')
    .option('--actor <name>', 'who does it')
    .action(async (name: string, version: string, stage: string, options: ActorOptions & { archiveExisting?: boolean }) =>
      withRegistry(program, async (registry) => {
        const result = await registry.transitionStage(name, version, stage, { ...actorOf(options), archiveExistingVersions: options.archiveExisting === true });
        process.stdout.write(`${name} v${result.version} is now in ${result.currentStage}\n`);
      }),
    );

  models
    .command('rename <model> <newName>')
    .description('rename a model; versions, aliases and history stay with it (models:/OLD/… stops resolving)')
    .option('--actor <name>', 'who does it')
    .action(async (name: string, newName: string, options: ActorOptions) =>
      withRegistry(program, async (registry) => {
        await registry.renameModel(name, newName, actorOf(options));
        process.stdout.write(`renamed ${name} → ${newName}\n`);
      }),
    );

  models
    .command('delete <model> [version]')
    .description('delete a version (or the whole model); the audit log keeps its history')
    .option('-y, --yes', 'do it (without this nothing is deleted)')
    .option('--actor <name>', 'who does it')
    .action(async (name: string, version: string | undefined, options: ActorOptions & { yes?: boolean }) =>
      withRegistry(program, async (registry) => {
        const what = version === undefined ? `model ${name} and all its versions` : `version ${version} of ${name}`;
        if (!options.yes) throw new CliError(`Deleting ${what} needs --yes.`);
        if (version === undefined) await registry.deleteModel(name, actorOf(options));
        else await registry.deleteVersion(name, version, actorOf(options));
        process.stdout.write(`deleted ${what}\n`);
      }),
    );
}

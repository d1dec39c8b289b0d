import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseTrainSpec } from '../../../src/core/training/trainSpecParser';
import type * as CreateTrainSpecModule from '../../../src/vscode/training/createTrainSpec';

type Item = { label: string; description?: string; value?: unknown };
const { fake } = require('../../support/loadWithFakeVscode.cjs') as { fake: { window: Record<string, unknown> } };

const examples = join(__dirname, '..', '..', '..', 'examples', 'data');

/**
 * "Create Training Spec from Dataset…" with VS Code's quick picks stubbed: what it offers for a
 * text target and a numeric one, and the spec it writes next to an existing one.
 */
describe('Create Training Spec from Dataset', () => {
  let dir: string;
  let create: typeof CreateTrainSpecModule.createTrainSpec;
  let offered: { title: string; items: Item[]; placeHolder?: string }[];
  /** answers by quick-pick step: the label to choose */
  let answers: Record<string, string>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlops-spec-wizard-'));
    mkdirSync(join(dir, 'data'));
    copyFileSync(join(examples, 'penguins.csv'), join(dir, 'data', 'penguins.csv'));
    copyFileSync(join(examples, 'auto-mpg.csv'), join(dir, 'data', 'auto-mpg.csv'));
    fake.window.showQuickPick = async (items: Item[], options: { title: string; placeHolder?: string }) => {
      offered.push({ title: options.title, items, ...(options.placeHolder ? { placeHolder: options.placeHolder } : {}) });
      const step = Object.keys(answers).find((k) => options.title.includes(k));
      return items.find((i) => i.label === (step ? answers[step] : undefined));
    };
    fake.window.showTextDocument = async () => undefined;
    ({ createTrainSpec: create } = await import('../../../src/vscode/training/createTrainSpec'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const uri = (name: string): { fsPath: string } => ({ fsPath: join(dir, 'data', name) });

  test('a text target is a classification: Regression is not offered for species', async () => {
    offered = [];
    answers = { 'column to predict': 'species', task: 'Classification', model: 'Neural network (MLP)' };
    await create(uri('penguins.csv') as never);
    const task = offered.find((o) => o.title.includes('task'));
    assert.deepEqual(task?.items.map((i) => i.label), ['Classification']);
    assert.match(task?.placeHolder ?? '', /species holds text labels \(e\.g\. Adelie/);
  });

  test('a numeric target with many values offers Regression first', async () => {
    offered = [];
    answers = { 'column to predict': 'mpg', task: 'Regression', model: 'Linear model' };
    await create(uri('auto-mpg.csv') as never);
    const task = offered.find((o) => o.title.includes('task'));
    assert.equal(task?.items[0]?.label, 'Regression');
    assert.ok(task?.items.some((i) => i.label === 'Classification'), 'a numeric column can still be classes');
    assert.match(readFileSync(join(dir, 'auto-mpg.train.yaml'), 'utf8'), /task: regression\nfeatures: all[\s\S]*type: linear_regression/);
  });

  test('boosted trees and a random forest are offered; their specs hold only what a tree model uses and train without warnings', async () => {
    // its own copy of the data: the specs it writes do not take the names the next test counts on
    copyFileSync(join(examples, 'penguins.csv'), join(dir, 'data', 'birds.csv'));
    for (const [label, type] of [['Boosted trees', 'gbdt'], ['Random forest', 'random_forest']] as const) {
      offered = [];
      answers = { 'column to predict': 'species', task: 'Classification', model: label };
      const created = (await create(uri('birds.csv') as never)) as unknown as { fsPath: string };
      const text = readFileSync(created.fsPath, 'utf8');
      assert.match(text, new RegExp(`^model:\\n {2}type: ${type}\\n`, 'm'));
      assert.doesNotMatch(text, /^(optimizer|epochs|batch_size|preprocessing):/m, text);
      const parsed = parseTrainSpec(text, created.fsPath);
      assert.equal(parsed.spec.model.type, type);
      assert.equal(parsed.spec.ignoredSettings, undefined, 'no setting the model ignores');
      if (type === 'random_forest') assert.doesNotMatch(text, /^early_stopping:/m, 'a forest grows all its trees');
      else assert.match(text, /^early_stopping:\n {2}patience: 10$/m);
    }
    assert.deepEqual(offered.find((o) => o.title.includes('model'))?.items.map((i) => i.label), ['Neural network (MLP)', 'Linear model', 'Boosted trees', 'Random forest']);
  });

  test('the comment names the file written, also when the name had to be numbered', async () => {
    writeFileSync(join(dir, 'penguins-2.train.yaml'), '# taken\n');
    offered = [];
    answers = { 'column to predict': 'species', task: 'Classification', model: 'Neural network (MLP)' };
    const created = await create(uri('penguins.csv') as never);
    assert.equal((created as unknown as { fsPath: string } | undefined)?.fsPath, join(dir, 'penguins-3.train.yaml'));
    const text = readFileSync(join(dir, 'penguins-3.train.yaml'), 'utf8');
    assert.match(text, /`npx mlops train penguins-3\.train\.yaml`/);
    assert.doesNotMatch(text, /mlops train penguins\.train\.yaml/);
  });
});

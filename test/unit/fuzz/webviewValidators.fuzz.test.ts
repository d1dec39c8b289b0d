import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { PanelContract } from '../../../src/protocol/rpc';
import type { ContractValidators } from '../../../src/protocol/rpcValidation';
import { validateViewMessage } from '../../../src/protocol/rpcValidation';
import { DASHBOARD_ACTIONS, type DashboardContract } from '../../../src/protocol/dashboard/dashboardContract';
import { dashboardValidators } from '../../../src/protocol/dashboard/dashboardValidators';
import type { DriftContract } from '../../../src/protocol/drift/driftContract';
import { driftValidators } from '../../../src/protocol/drift/driftValidators';
import type { FeatureCatalogContract } from '../../../src/protocol/featureCatalog/featureCatalogContract';
import { featureCatalogValidators } from '../../../src/protocol/featureCatalog/featureCatalogValidators';
import { FEEDBACK_EXPORT_FORMATS, type FeedbackContract } from '../../../src/protocol/feedback/feedbackContract';
import { feedbackValidators } from '../../../src/protocol/feedback/feedbackValidators';
import type { LineageContract, LineageNodeRefView } from '../../../src/protocol/lineage/lineageContract';
import { lineageValidators } from '../../../src/protocol/lineage/lineageValidators';
import { VERSION_FILES, type ModelReviewContract } from '../../../src/protocol/modelReview/modelReviewContract';
import { modelReviewValidators } from '../../../src/protocol/modelReview/modelReviewValidators';
import type { ProfileContract } from '../../../src/protocol/profile/profileContract';
import { profileValidators } from '../../../src/protocol/profile/profileValidators';
import { MAX_COMPARE_RUNS, MAX_PAGE_ROWS, MAX_SERIES_POINTS, type ColumnLayout, type RunsContract, type RunsQuery } from '../../../src/protocol/runs/runsContract';
import { runsValidators } from '../../../src/protocol/runs/runsValidators';
import { fuzzParameters } from './fuzzSettings';

/**
 * A webview is untrusted input. For every panel, messages generated from its contract's types
 * (within the documented bounds) must pass the host's validators unchanged, and the same messages
 * broken in one place must be refused with an error naming the method — so the test fails if a
 * validator is too strict as well as too lax. The arbitraries are typed by the contracts: a new
 * method without one does not compile.
 */
type ContractArbitraries<C extends PanelContract> = {
  requests: { [M in keyof C['requests']]: fc.Arbitrary<C['requests'][M]['params']> };
  viewNotifications: { [M in keyof C['viewNotifications']]: fc.Arbitrary<C['viewNotifications'][M]> };
};

const empty = fc.constant({} as Record<string, never>);
const text = (min: number, max: number): fc.Arbitrary<string> => fc.string({ minLength: min, maxLength: max });
const positive = fc.integer({ min: 1, max: 2 ** 31 });
const natural = fc.nat();
const runId = text(1, 64);
const hexRunId = fc.stringMatching(/^[0-9a-f]{32}$/);
const nodeRef: fc.Arbitrary<LineageNodeRefView> = fc.record({ kind: fc.stringMatching(/^[a-z][A-Za-z0-9]{0,20}$/), id: text(1, 40) });
const columnId = text(1, 40);
const query: fc.Arbitrary<RunsQuery> = fc.record(
  {
    filter: text(0, 60),
    sort: fc.array(fc.record({ columnId, descending: fc.boolean() }), { maxLength: 16 }),
    aggregate: fc.constantFrom('last' as const, 'min' as const, 'max' as const),
    runIds: fc.array(runId, { maxLength: 8 }),
  },
  { requiredKeys: ['filter', 'sort', 'aggregate'] },
);
const layout: fc.Arbitrary<ColumnLayout> = fc.record({
  order: fc.array(columnId, { maxLength: 6 }),
  hidden: fc.array(columnId, { maxLength: 6 }),
  pinned: fc.array(columnId, { maxLength: 6 }),
  // a "__proto__" key is dropped by zod's record (its output has no prototype to pollute), so it cannot round-trip
  widths: fc.dictionary(columnId.filter((k) => k !== '__proto__'), fc.double({ min: 24, max: 2_000, noNaN: true }), { maxKeys: 4 }),
});
const optionalNullable = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arbitrary, { nil: null });

const dashboard: ContractArbitraries<DashboardContract> = {
  requests: { getOverview: empty },
  viewNotifications: {
    runAction: fc.record({ action: fc.constantFrom(...DASHBOARD_ACTIONS) }),
    open: fc.record({
      target: fc.oneof(
        fc.record({ kind: fc.constant('run' as const), runId }),
        fc.record({ kind: fc.constant('modelVersion' as const), name: text(1, 30), version: positive }),
        fc.record({ kind: fc.constant('review' as const), reviewId: fc.integer(), name: text(1, 30), version: positive, previousVersion: optionalNullable(positive) }),
        fc.record({ kind: fc.constant('endpoints' as const) }),
        fc.record({ kind: fc.constant('monitor' as const), name: text(1, 30) }),
      ),
    }),
  },
};
const drift: ContractArbitraries<DriftContract> = {
  requests: { getState: empty, getReport: fc.record({ id: positive }) },
  viewNotifications: { runMonitor: empty, acknowledgeAlerts: empty, openSpec: empty },
};
const featureCatalog: ContractArbitraries<FeatureCatalogContract> = {
  requests: { getCatalog: empty, getFeature: fc.record({ view: text(1, 30), name: text(1, 30) }) },
  viewNotifications: {
    materialize: fc.record({ view: optionalNullable(text(1, 30)) }),
    openModelCard: fc.record({ name: text(1, 30), version: positive }),
    openSpec: fc.record({ file: text(1, 60), line: positive }),
    createSpec: empty,
  },
};
const feedback: ContractArbitraries<FeedbackContract> = {
  requests: {
    getSession: empty,
    getRow: fc.record({ index: natural }),
    saveFeedback: fc.record(
      { index: natural, rating: optionalNullable(fc.integer({ min: 1, max: 5 })), thumb: optionalNullable(fc.constantFrom('up' as const, 'down' as const)), label: optionalNullable(text(0, 200)), comment: optionalNullable(text(0, 300)) },
      { requiredKeys: ['index'] },
    ),
  },
  viewNotifications: { exportFeedback: fc.record({ format: fc.constantFrom(...FEEDBACK_EXPORT_FORMATS) }) },
};
const lineage: ContractArbitraries<LineageContract> = {
  requests: { getGraph: fc.record({ root: nodeRef }, { requiredKeys: [] }) },
  viewNotifications: { openNode: nodeRef },
};
const modelReview: ContractArbitraries<ModelReviewContract> = {
  requests: { getState: empty },
  viewNotifications: {
    promote: fc.record({ version: positive }),
    decideReview: fc.record({ reviewId: positive, decision: fc.constantFrom('approve' as const, 'reject' as const) }),
    addVersion: empty,
    removeVersion: fc.record({ version: positive }),
    openFile: fc.record({ version: positive, file: fc.constantFrom(...VERSION_FILES) }),
    openRun: fc.record({ runId: hexRunId }),
    showLineage: fc.record({ version: positive }),
    openCostSettings: empty,
  },
};
const profile: ContractArbitraries<ProfileContract> = {
  requests: { getState: empty },
  viewNotifications: { changeTarget: empty, reprofile: empty, saveJson: empty, saveHtml: empty, compareWith: empty, clearComparison: empty, openAt: fc.record({ line: positive }) },
};
const runs: ContractArbitraries<RunsContract> = {
  requests: {
    getInit: empty,
    getColumns: fc.record({ query }),
    getRows: fc.record({ query, offset: natural, limit: fc.integer({ min: 1, max: MAX_PAGE_ROWS }) }),
    getGroups: fc.record({ query, groupBy: columnId }),
    getMatrix: fc.record({ query, columnIds: fc.array(columnId, { minLength: 1, maxLength: 64 }) }),
    getSeries: fc.record({ runIds: fc.array(runId, { maxLength: Math.min(MAX_COMPARE_RUNS, 10) }), keys: fc.array(text(1, 20), { maxLength: 64 }), maxPoints: fc.integer({ min: 2, max: MAX_SERIES_POINTS }), x: fc.constantFrom('step' as const, 'time' as const) }),
    getRunDetails: fc.record({ runId }),
    getArtifactPreview: fc.record({ runId, path: text(1, 60) }),
    exportCsv: fc.record({ query, columnIds: fc.array(columnId, { minLength: 1, maxLength: 10 }) }),
  },
  viewNotifications: {
    setStarred: fc.record({ runIds: fc.array(runId, { minLength: 1, maxLength: 10 }), starred: fc.boolean() }),
    renameRun: fc.record({ runId }),
    editNote: fc.record({ runId }),
    registerModel: fc.record({ runId }),
    deleteRuns: fc.record({ runIds: fc.array(runId, { minLength: 1, maxLength: 10 }) }),
    saveLayout: fc.record({ layout }),
    compareRunCode: fc.record({ runIds: fc.array(runId, { minLength: 2, maxLength: 2 }) }),
    openCostSettings: empty,
  },
};

/** Fields a contract marks optional (`?:`): leaving one out is fine, leaving out any other is not. */
const OPTIONAL_FIELDS: ReadonlySet<string> = new Set(['saveFeedback.rating', 'saveFeedback.thumb', 'saveFeedback.label', 'saveFeedback.comment', 'getGraph.root']);

interface PanelCase {
  readonly panel: string;
  readonly validators: ContractValidators<PanelContract>;
  readonly arbitraries: ContractArbitraries<PanelContract>;
}

function panel<C extends PanelContract>(name: string, validators: ContractValidators<C>, arbitraries: ContractArbitraries<C>): PanelCase {
  return { panel: name, validators: validators as unknown as ContractValidators<PanelContract>, arbitraries: arbitraries as unknown as ContractArbitraries<PanelContract> };
}

const PANELS: readonly PanelCase[] = [
  panel('dashboard', dashboardValidators, dashboard),
  panel('drift', driftValidators, drift),
  panel('featureCatalog', featureCatalogValidators, featureCatalog),
  panel('feedback', feedbackValidators, feedback),
  panel('lineage', lineageValidators, lineage),
  panel('modelReview', modelReviewValidators, modelReview),
  panel('profile', profileValidators, profile),
  panel('runs', runsValidators, runs),
];

interface Message {
  readonly kind: 'request' | 'notify';
  readonly method: string;
  readonly params: Record<string, unknown>;
}

/** As the host receives it: postMessage carries plain JSON-like objects. */
function asPosted(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

function wellFormed(p: PanelCase): fc.Arbitrary<Message> {
  const requests = Object.entries(p.arbitraries.requests).map(([method, params]) => params.map((v) => ({ kind: 'request' as const, method, params: asPosted(v) })));
  const notifications = Object.entries(p.arbitraries.viewNotifications).map(([method, params]) => params.map((v) => ({ kind: 'notify' as const, method, params: asPosted(v) })));
  return fc.oneof(...requests, ...notifications);
}

function envelope(message: Message, id: number): Record<string, unknown> {
  return message.kind === 'request' ? { kind: 'request', id, method: message.method, params: message.params } : { kind: 'notify', method: message.method, params: message.params };
}

test('every panel has a validator for each method its contract declares, and an arbitrary for each validator', () => {
  for (const p of PANELS) {
    assert.deepEqual(Object.keys(p.validators.requests).sort(), Object.keys(p.arbitraries.requests).sort(), `${p.panel} requests`);
    assert.deepEqual(Object.keys(p.validators.viewNotifications).sort(), Object.keys(p.arbitraries.viewNotifications).sort(), `${p.panel} notifications`);
  }
});

for (const p of PANELS) {
  test(`fuzz (${p.panel}): well-formed messages pass unchanged; the same messages broken in one place are refused`, () => {
    fc.assert(
      fc.property(wellFormed(p), fc.nat(), (message, id) => {
        const ok = validateViewMessage(envelope(message, id), p.validators);
        assert.ok(ok.ok, `${message.method} ${JSON.stringify(message.params)}: ${ok.ok ? '' : ok.error}`);
        assert.deepEqual(ok.message.params, message.params);
      }),
      fuzzParameters(400, 700),
    );
    const breakage = fc.record({ how: fc.constantFrom('extra field', 'wrong type', 'left out', 'bad id', 'unknown method', 'not an object'), pick: fc.nat(), id: fc.nat() });
    fc.assert(
      fc.property(wellFormed(p), breakage, (message, { how, pick, id }) => {
        const keys = Object.keys(message.params);
        const key = keys[pick % Math.max(1, keys.length)];
        let raw: unknown;
        let refused = true;
        let names = message.method;
        if (how === 'extra field') raw = envelope({ ...message, params: { ...message.params, ['injected']: 1 } }, id);
        else if (how === 'wrong type') {
          if (key === undefined) return;
          raw = envelope({ ...message, params: { ...message.params, [key]: [[[]]] } }, id);
          names = key;
        } else if (how === 'left out') {
          if (key === undefined) return;
          const { [key]: _dropped, ...rest } = message.params;
          raw = envelope({ ...message, params: rest }, id);
          refused = !OPTIONAL_FIELDS.has(`${message.method}.${key}`);
          names = key;
        } else if (how === 'bad id') {
          if (message.kind !== 'request') return;
          raw = { ...envelope(message, id), id: [-1 - id, id + 0.5, String(id), null][pick % 4] };
          names = 'id';
        } else if (how === 'unknown method') raw = { ...envelope(message, id), method: `${message.method}X` };
        else raw = { ...envelope(message, id), params: [null, 'x', 1, [message.params]][pick % 4] };
        const result = validateViewMessage(raw, p.validators);
        if (!refused) {
          assert.ok(result.ok, `leaving out optional ${key} of ${message.method} is allowed: ${result.ok ? '' : result.error}`);
          return;
        }
        assert.equal(result.ok, false, `${how} in ${message.method} was accepted: ${JSON.stringify(raw)}`);
        if (!result.ok) assert.ok(result.error.includes(names), `the error names ${names}: ${result.error}`);
      }),
      fuzzParameters(1_000, 1_000),
    );
  });
}

test('fuzz: anything at all as a panel message is answered with ok or an error, never a throw', () => {
  const methods = PANELS.flatMap((p) => [...Object.keys(p.validators.requests), ...Object.keys(p.validators.viewNotifications)]);
  const anyMessage = fc.oneof(
    fc.anything(),
    fc.record({ kind: fc.constantFrom('request', 'notify', 'response', 'x'), id: fc.anything(), method: fc.oneof(fc.constantFrom(...methods, '__proto__', 'constructor', 'toString', 'hasOwnProperty'), fc.string()), params: fc.anything() }, { requiredKeys: [] }),
  );
  fc.assert(
    fc.property(fc.constantFrom(...PANELS), anyMessage, (p, raw) => {
      const result = validateViewMessage(raw, p.validators);
      if (!result.ok) assert.equal(typeof result.error, 'string');
    }),
    fuzzParameters(4_000, 2_000),
  );
  // "__proto__" keys as JSON.parse makes them (own properties) never reach a prototype
  const polluting = ['{"kind":"notify","method":"saveLayout","params":{"layout":{"order":[],"hidden":[],"pinned":[],"widths":{"__proto__":{"polluted":1}}}}}', '{"kind":"notify","method":"openNode","params":{"__proto__":{"polluted":1},"kind":"run","id":"x"}}', '{"kind":"request","id":1,"method":"__proto__","params":{}}', '{"__proto__":{"polluted":1},"kind":"notify","method":"createSpec","params":{}}'];
  for (const text of polluting) for (const p of PANELS) validateViewMessage(JSON.parse(text), p.validators);
  assert.equal((({}) as { polluted?: unknown }).polluted, undefined, 'no validator wrote into Object.prototype');
});

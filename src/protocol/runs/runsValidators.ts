import * as z from 'zod/mini';
import type { ContractValidators } from '../rpcValidation';
import { MAX_COMPARE_RUNS, MAX_PAGE_ROWS, MAX_SERIES_POINTS, MAX_TABLE_RUNS, type RunsContract } from './runsContract';

const runId = z.string().check(z.minLength(1), z.maxLength(256));
const columnId = z.string().check(z.minLength(1), z.maxLength(1024));
const query = z.strictObject({
  filter: z.string().check(z.maxLength(20_000)),
  sort: z.array(z.strictObject({ columnId, descending: z.boolean() })).check(z.maxLength(16)),
  aggregate: z.enum(['last', 'min', 'max']),
  runIds: z.optional(z.array(runId).check(z.maxLength(MAX_TABLE_RUNS))),
});
const layout = z.strictObject({
  order: z.array(columnId).check(z.maxLength(20_000)),
  hidden: z.array(columnId).check(z.maxLength(20_000)),
  pinned: z.array(columnId).check(z.maxLength(64)),
  widths: z.record(columnId, z.number().check(z.gte(24), z.lte(2_000))),
});

export const runsValidators: ContractValidators<RunsContract> = {
  requests: {
    getInit: z.strictObject({}),
    getColumns: z.strictObject({ query }),
    getRows: z.strictObject({ query, offset: z.number().check(z.int(), z.nonnegative()), limit: z.number().check(z.int(), z.gte(1), z.lte(MAX_PAGE_ROWS)) }),
    getGroups: z.strictObject({ query, groupBy: columnId }),
    getMatrix: z.strictObject({ query, columnIds: z.array(columnId).check(z.minLength(1), z.maxLength(64)) }),
    getSeries: z.strictObject({
      runIds: z.array(runId).check(z.maxLength(MAX_COMPARE_RUNS)),
      keys: z.array(z.string().check(z.minLength(1), z.maxLength(1024))).check(z.maxLength(64)),
      maxPoints: z.number().check(z.int(), z.gte(2), z.lte(MAX_SERIES_POINTS)),
      x: z.enum(['step', 'time']),
    }),
    getRunDetails: z.strictObject({ runId }),
    getArtifactPreview: z.strictObject({ runId, path: z.string().check(z.minLength(1), z.maxLength(4096)) }),
    exportCsv: z.strictObject({ query, columnIds: z.array(columnId).check(z.minLength(1), z.maxLength(20_000)) }),
  },
  viewNotifications: {
    setStarred: z.strictObject({ runIds: z.array(runId).check(z.minLength(1), z.maxLength(MAX_TABLE_RUNS)), starred: z.boolean() }),
    renameRun: z.strictObject({ runId }),
    editNote: z.strictObject({ runId }),
    registerModel: z.strictObject({ runId }),
    compareRunCode: z.strictObject({ runIds: z.array(runId).check(z.minLength(2), z.maxLength(2)) }),
    deleteRuns: z.strictObject({ runIds: z.array(runId).check(z.minLength(1), z.maxLength(MAX_TABLE_RUNS)) }),
    saveLayout: z.strictObject({ layout }),
    openCostSettings: z.strictObject({}),
  },
};

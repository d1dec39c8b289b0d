import * as z from 'zod/mini';
import type { ContractValidators } from '../rpcValidation';
import { VERSION_FILES, type ModelReviewContract } from './modelReviewContract';

const version = z.number().check(z.int(), z.gte(1));

export const modelReviewValidators: ContractValidators<ModelReviewContract> = {
  requests: {
    getState: z.strictObject({}),
  },
  viewNotifications: {
    promote: z.strictObject({ version }),
    decideReview: z.strictObject({ reviewId: z.number().check(z.int(), z.gte(1)), decision: z.enum(['approve', 'reject']) }),
    addVersion: z.strictObject({}),
    removeVersion: z.strictObject({ version }),
    openFile: z.strictObject({ version, file: z.enum(VERSION_FILES) }),
    openRun: z.strictObject({ runId: z.string().check(z.regex(/^[0-9a-f]{32}$/)) }),
    showLineage: z.strictObject({ version }),
    openCostSettings: z.strictObject({}),
  },
};

import * as z from 'zod/mini';
import type { ContractValidators } from '../rpcValidation';
import type { ProfileContract } from './profileContract';

export const profileValidators: ContractValidators<ProfileContract> = {
  requests: {
    getState: z.strictObject({}),
  },
  viewNotifications: {
    changeTarget: z.strictObject({}),
    reprofile: z.strictObject({}),
    saveJson: z.strictObject({}),
    saveHtml: z.strictObject({}),
    compareWith: z.strictObject({}),
    clearComparison: z.strictObject({}),
    openAt: z.strictObject({ line: z.number().check(z.int(), z.gte(1)) }),
  },
};

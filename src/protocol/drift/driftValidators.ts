import * as z from 'zod/mini';
import type { ContractValidators } from '../rpcValidation';
import type { DriftContract } from './driftContract';

export const driftValidators: ContractValidators<DriftContract> = {
  requests: {
    getState: z.strictObject({}),
    getReport: z.strictObject({ id: z.number().check(z.int(), z.gte(1)) }),
  },
  viewNotifications: {
    runMonitor: z.strictObject({}),
    acknowledgeAlerts: z.strictObject({}),
    openSpec: z.strictObject({}),
  },
};

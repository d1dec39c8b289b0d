import * as z from 'zod/mini';
import type { ContractValidators } from '../rpcValidation';
import { DASHBOARD_ACTIONS, type DashboardContract } from './dashboardContract';

export const dashboardValidators: ContractValidators<DashboardContract> = {
  requests: {
    getOverview: z.strictObject({}),
  },
  viewNotifications: {
    runAction: z.strictObject({ action: z.enum(DASHBOARD_ACTIONS) }),
    open: z.strictObject({
      target: z.union([
        z.strictObject({ kind: z.literal('run'), runId: z.string().check(z.minLength(1), z.maxLength(64)) }),
        z.strictObject({ kind: z.literal('modelVersion'), name: z.string().check(z.minLength(1), z.maxLength(256)), version: z.number().check(z.int(), z.positive()) }),
        z.strictObject({
          kind: z.literal('review'),
          reviewId: z.number().check(z.int()),
          name: z.string().check(z.minLength(1), z.maxLength(256)),
          version: z.number().check(z.int(), z.positive()),
          previousVersion: z.nullable(z.number().check(z.int(), z.positive())),
        }),
        z.strictObject({ kind: z.literal('endpoints') }),
        z.strictObject({ kind: z.literal('monitor'), name: z.string().check(z.minLength(1), z.maxLength(256)) }),
      ]),
    }),
  },
};

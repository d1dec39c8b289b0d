import * as z from 'zod/mini';
import type { ContractValidators } from '../rpcValidation';
import { DASHBOARD_ACTIONS, type DashboardContract } from './dashboardContract';

export const dashboardValidators: ContractValidators<DashboardContract> = {
  requests: {
    getOverview: z.strictObject({}),
  },
  viewNotifications: {
    runAction: z.strictObject({ action: z.enum(DASHBOARD_ACTIONS) }),
  },
};

import * as z from 'zod/mini';
import type { ContractValidators } from '../rpcValidation';
import type { FeatureCatalogContract } from './featureCatalogContract';

const name = z.string().check(z.minLength(1), z.maxLength(200));

export const featureCatalogValidators: ContractValidators<FeatureCatalogContract> = {
  requests: {
    getCatalog: z.strictObject({}),
    getFeature: z.strictObject({ view: name, name }),
  },
  viewNotifications: {
    materialize: z.strictObject({ view: z.nullable(name) }),
    openModelCard: z.strictObject({ name, version: z.number().check(z.int(), z.gte(1)) }),
    openSpec: z.strictObject({ file: z.string().check(z.minLength(1), z.maxLength(4096)), line: z.number().check(z.int(), z.gte(1)) }),
    createSpec: z.strictObject({}),
  },
};

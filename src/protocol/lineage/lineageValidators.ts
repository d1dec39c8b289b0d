import * as z from 'zod/mini';
import type { ContractValidators } from '../rpcValidation';
import type { LineageContract, LineageNodeRefView } from './lineageContract';

/** The same rule the engine applies to recorded kinds: a lowerCamelCase word. */
const nodeRef: z.ZodMiniType<LineageNodeRefView> = z.strictObject({
  kind: z.string().check(z.regex(/^[a-z][A-Za-z0-9]*$/), z.maxLength(64)),
  id: z.string().check(z.minLength(1), z.maxLength(2000)),
});

export const lineageValidators: ContractValidators<LineageContract> = {
  requests: {
    getGraph: z.strictObject({ root: z.optional(nodeRef) }),
  },
  viewNotifications: {
    openNode: nodeRef,
  },
};

import * as z from 'zod/mini';
import type { ContractValidators } from '../rpcValidation';
import { FEEDBACK_EXPORT_FORMATS, type FeedbackContract } from './feedbackContract';

const rowIndex = z.number().check(z.int(), z.gte(0));
const optionalText = (max: number): z.ZodMiniOptional<z.ZodMiniNullable<z.ZodMiniString>> => z.optional(z.nullable(z.string().check(z.maxLength(max))));

export const feedbackValidators: ContractValidators<FeedbackContract> = {
  requests: {
    getSession: z.strictObject({}),
    getRow: z.strictObject({ index: rowIndex }),
    saveFeedback: z.strictObject({
      index: rowIndex,
      rating: z.optional(z.nullable(z.number().check(z.int(), z.gte(1), z.lte(5)))),
      thumb: z.optional(z.nullable(z.enum(['up', 'down']))),
      label: optionalText(200),
      comment: optionalText(10_000),
    }),
  },
  viewNotifications: {
    exportFeedback: z.strictObject({ format: z.enum(FEEDBACK_EXPORT_FORMATS) }),
  },
};

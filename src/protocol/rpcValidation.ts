import { z } from 'zod';
import type { PanelContract, ViewToHostMessage } from './rpc';

/**
 * Host-side runtime validation. A webview is untrusted input: every message is checked against
 * the envelope and the panel's schemas before a handler sees it. Kept out of `rpc.ts` so that
 * webview bundles, which only need the types, do not pull in zod.
 */
const envelopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('request'), id: z.number().int().nonnegative(), method: z.string().min(1), params: z.unknown() }),
  z.object({ kind: z.literal('notify'), method: z.string().min(1), params: z.unknown() }),
]);

/** Zod schemas for everything a view may send under contract C. */
export interface ContractValidators<C extends PanelContract> {
  requests: { [M in keyof C['requests']]: z.ZodType<C['requests'][M]['params']> };
  viewNotifications: { [M in keyof C['viewNotifications']]: z.ZodType<C['viewNotifications'][M]> };
}

export type ValidatedMessage =
  | { ok: true; message: ViewToHostMessage }
  | { ok: false; id?: number; error: string };

/** Checks the envelope and the params of one incoming message; the error names the method and field. */
export function validateViewMessage<C extends PanelContract>(raw: unknown, validators: ContractValidators<C>): ValidatedMessage {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) {
    return { ok: false, error: `Malformed panel message: ${formatZodIssues(envelope.error)}` };
  }
  const message = envelope.data;
  const table: Record<string, z.ZodType> = message.kind === 'request' ? validators.requests : validators.viewNotifications;
  const schema = Object.prototype.hasOwnProperty.call(table, message.method) ? table[message.method] : undefined;
  const id = message.kind === 'request' ? message.id : undefined;
  if (!schema) {
    return { ok: false, id, error: `Unknown ${message.kind === 'request' ? 'request' : 'notification'} "${message.method}"` };
  }
  const params = schema.safeParse(message.params);
  if (!params.success) {
    return { ok: false, id, error: `Invalid parameters for "${message.method}": ${formatZodIssues(params.error)}` };
  }
  return { ok: true, message: { ...message, params: params.data } };
}

function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(message)'}: ${issue.message}`)
    .join('; ');
}

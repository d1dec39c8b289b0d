import * as z from 'zod/mini';
import type { PanelContract, ViewToHostMessage } from './rpc';

/**
 * Host-side runtime validation. A webview is untrusted input: every message is checked against
 * the envelope and the panel's schemas before a handler sees it. Kept out of `rpc.ts` so that
 * webview bundles, which only need the types, do not pull in zod.
 */
const envelopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('request'), id: z.number().check(z.int(), z.nonnegative()), method: z.string().check(z.minLength(1)), params: z.unknown() }),
  z.object({ kind: z.literal('notify'), method: z.string().check(z.minLength(1)), params: z.unknown() }),
]);

/** Zod schemas for everything a view may send under contract C. */
export interface ContractValidators<C extends PanelContract> {
  requests: { [M in keyof C['requests']]: z.ZodMiniType<C['requests'][M]['params']> };
  viewNotifications: { [M in keyof C['viewNotifications']]: z.ZodMiniType<C['viewNotifications'][M]> };
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
  const table: Record<string, z.ZodMiniType> = message.kind === 'request' ? validators.requests : validators.viewNotifications;
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

/** zod/mini ships no message locale (that keeps the extension bundle small), so say it here. */
export function formatZodIssues(error: { issues: readonly z.core.$ZodIssue[] }): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(message)'}: ${describeIssue(issue)}`).join('; ');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'unrecognized_keys':
      return `unexpected field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    case 'invalid_union':
      return 'does not match any allowed shape';
    default:
      return issue.message || issue.code;
  }
}

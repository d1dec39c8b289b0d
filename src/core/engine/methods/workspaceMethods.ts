import { InvalidArgumentError } from '../../tracking/trackingErrors';
import { readWorkspaceAttention, type WorkspaceAttention } from '../../workspace/workspaceAttention';
import type { EngineContext, EngineMethodTable } from '../engineMethod';

function limit(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError(`Engine call: limits.${what} must be a whole number ≥ 0, got ${JSON.stringify(value) ?? 'nothing'}.`);
  return value;
}

/** Workspace-wide summaries: what the dashboard shows beside tracking. */
export const workspaceMethods = {
  /** models and their aliases, pending reviews and open drift alerts, at most `limits` of each */
  'workspace.attention': ({ store }: EngineContext, params: { limits: { models: number; reviews: number; alerts: number } }): WorkspaceAttention => {
    const limits = typeof params.limits === 'object' && params.limits !== null ? params.limits : ({} as Record<string, unknown>);
    return readWorkspaceAttention(store, { models: limit(limits.models, 'models'), reviews: limit(limits.reviews, 'reviews'), alerts: limit(limits.alerts, 'alerts') });
  },
} satisfies EngineMethodTable;

import { openAlerts } from '../monitoring/driftHistory';
import type { WorkspaceStore } from '../store/workspaceStore';

/** Alerts about retraining start so; drift alerts do not, which keeps them apart in one table. */
export const RETRAIN_ALERT_PREFIX = 'Retraining for monitor ';

/**
 * Raises "retraining failed" on the monitor (its badge in the Monitors view) unless one is still
 * open: a failure that repeats after each cool-down alerts once until someone acknowledges it.
 * Returns whether an alert was raised.
 */
export async function raiseFailureAlertOnce(store: WorkspaceStore, monitor: string, attemptId: number, reportId: number | undefined, error: string, now: number): Promise<boolean> {
  if (openAlerts(store, monitor).some((a) => a.message.startsWith(RETRAIN_ALERT_PREFIX))) return false;
  const firstLine = error.split('\n')[0] ?? error;
  await store.database.commit({
    statements: [
      {
        sql: 'INSERT INTO monitor_alerts (monitor, created_at, report_id, message) VALUES (?, ?, ?, ?)',
        // report_id is required by the table: 0 when the attempt had no drift report behind it
        params: [monitor, now, reportId ?? 0, `${RETRAIN_ALERT_PREFIX}${monitor} failed (attempt #${attemptId}): ${firstLine.slice(0, 500)}`],
      },
    ],
  });
  return true;
}

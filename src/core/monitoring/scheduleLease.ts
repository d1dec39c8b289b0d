/**
 * Who runs a workspace's scheduled monitors. Every window of a folder schedules them, and all of
 * them are clients of one engine; the engine grants the schedule to one client at a time so a due
 * monitor runs once (one report, one alert, one retraining attempt) whatever the number of windows.
 *
 * The lease lives in the engine process's memory, per store: it only has to outlive the windows,
 * not the engine (a new engine grants it afresh to the first window that asks).
 */

/** What a client asking for the schedule hears. */
export interface ScheduleClaim {
  readonly granted: boolean;
  /** the client that holds it when this one was refused */
  readonly holder?: string;
}

interface Lease {
  readonly holder: string;
  readonly expiresAt: number;
}

/** Keyed by the store the engine holds: a closed store takes its lease with it. */
const leases = new WeakMap<object, Lease>();

/** Monotonic, so a wall clock set back cannot stretch a lease (nor forward end one early). */
function monotonicNow(): number {
  return performance.now();
}

/**
 * Grants the schedule to `clientId` when nobody holds it, when it already holds it (a renewal),
 * or when its holder has not renewed within its ttl (a window closed or crashed).
 */
export function claimScheduleLease(store: object, clientId: string, ttlMs: number, now: () => number = monotonicNow): ScheduleClaim {
  const at = now();
  const lease = leases.get(store);
  if (lease && lease.holder !== clientId && lease.expiresAt > at) return { granted: false, holder: lease.holder };
  leases.set(store, { holder: clientId, expiresAt: at + ttlMs });
  return { granted: true };
}

/** A window that closes hands the schedule on at once instead of after its ttl. */
export function releaseScheduleLease(store: object, clientId: string): boolean {
  if (leases.get(store)?.holder !== clientId) return false;
  leases.delete(store);
  return true;
}

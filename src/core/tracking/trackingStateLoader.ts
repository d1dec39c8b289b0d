import type { SqlValue } from 'sql.js';
import type { DurableDatabase } from '../store/durableDatabase';
import type { DatasetInput, RunStatus } from './trackingTypes';
import type { ExperimentState, RunState } from './trackingState';

/** Every experiment with its tags (a store has tens of them, not thousands: they stay in memory). */
export function loadExperimentStates(db: DurableDatabase): ExperimentState[] {
  const experiments: ExperimentState[] = [];
  const experimentById = new Map<string, ExperimentState>();
  for (const row of db.query('SELECT * FROM experiments')) {
    const experiment: ExperimentState = {
      experimentId: String(row.experiment_id),
      name: String(row.name),
      artifactLocation: String(row.artifact_location),
      lifecycleStage: row.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
      creationTime: Number(row.creation_time),
      lastUpdateTime: Number(row.last_update_time),
      tags: new Map(),
    };
    experiments.push(experiment);
    experimentById.set(experiment.experimentId, experiment);
  }
  for (const row of db.query('SELECT * FROM experiment_tags')) experimentById.get(String(row.experiment_id))?.tags.set(String(row.key), String(row.value));
  return experiments;
}

/** Ids bound as one JSON array: one statement text whatever their number (statements are cached by text). */
const IDS = 'SELECT value FROM json_each(?)';

/**
 * The states of these runs, read from the tracking tables (runs that do not exist are absent).
 * Rows, not objects, and one statement per table for all the ids: 10,000 runs × 40 fields load in
 * about 0.4 s.
 */
export function loadRunStates(db: DurableDatabase, runIds: readonly string[]): Map<string, RunState> {
  const runs = new Map<string, RunState>();
  if (runIds.length === 0) return runs;
  // Every run has the same few hundred keys: one string each, not one per run (sql.js makes a new one per row).
  const keys = new Map<string, string>();
  const intern = (key: SqlValue | undefined): string => {
    const text = key as string;
    const known = keys.get(text);
    if (known !== undefined) return known;
    keys.set(text, text);
    return text;
  };
  const ids = [JSON.stringify(runIds)];
  // Rows, not objects (a third of the time for 50,000 runs); the columns named in the order read.
  const runColumns = 'run_id, experiment_id, run_name, user_id, status, start_time, end_time, lifecycle_stage, source_type, source_name, git_commit, git_dirty, parent_run_id, owner_pid, owner_host, heartbeat_time';
  for (const [runIdValue, experimentId, runName, userId, status, startTime, endTime, stage, sourceType, sourceName, gitCommit, gitDirty, parentRunId, ownerPid, ownerHost, heartbeatTime] of db.rows(
    `SELECT ${runColumns} FROM runs WHERE run_id IN (${IDS})`,
    ids,
  )) {
    const runId = String(runIdValue);
    runs.set(runId, {
      runId,
      experimentId: String(experimentId),
      runName: String(runName),
      userId: String(userId),
      status: String(status) as RunStatus,
      startTime: Number(startTime),
      endTime: endTime === null ? null : Number(endTime),
      lifecycleStage: stage === 'deleted' ? 'deleted' : 'active',
      source: sourceType === null && sourceName === null ? null : { type: String(sourceType ?? 'UNKNOWN'), name: String(sourceName ?? '') },
      gitCommit: gitCommit === null ? null : String(gitCommit),
      gitDirty: gitDirty === null ? null : Number(gitDirty) === 1,
      parentRunId: parentRunId === null ? null : String(parentRunId),
      ownerPid: ownerPid === null ? null : Number(ownerPid),
      ownerHost: ownerHost === null ? null : String(ownerHost),
      heartbeatTime: heartbeatTime === null ? null : Number(heartbeatTime),
      params: new Map(),
      tags: new Map(),
      metrics: new Map(),
      inputs: [],
      nextSeriesId: 1,
      view: undefined,
    });
  }
  // Params and tags as one row per run (two JSON arrays): half the time of a row per value through sql.js.
  for (const table of ['params', 'tags'] as const) {
    for (const [runId, keyList, valueList] of db.rows(`SELECT run_id, json_group_array(key), json_group_array(value) FROM ${table} WHERE run_id IN (${IDS}) GROUP BY run_id`, ids)) {
      const map = runs.get(runId as string)?.[table];
      if (!map) continue;
      const keyArray = JSON.parse(keyList as string) as string[];
      const valueArray = JSON.parse(valueList as string) as string[];
      for (let i = 0; i < keyArray.length; i++) map.set(intern(keyArray[i]), valueArray[i] as string);
    }
  }
  for (const [runId, key, seriesId, last, step, timestamp, min, max, count, exact] of db.rows(
    `SELECT run_id, key, series_id, last_value, last_step, last_timestamp, min_value, max_value, count, exact FROM metric_summaries WHERE run_id IN (${IDS})`,
    ids,
  )) {
    const run = runs.get(runId as string);
    if (!run) continue;
    const [exactLast, exactMin, exactMax] = typeof exact === 'string' ? exact.split(' ').map(Number) : [];
    run.metrics.set(intern(key), {
      seriesId: seriesId as number,
      value: exactLast ?? (last as number),
      step: step as number,
      timestamp: timestamp as number,
      min: exactMin ?? (min as number),
      max: exactMax ?? (max as number),
      count: count as number,
      // read when the series is (readInlinePoints): a panel's 10,000 runs would otherwise copy every short series
      inline: undefined,
    });
    run.nextSeriesId = Math.max(run.nextSeriesId, (seriesId as number) + 1);
  }
  for (const row of db.query(`SELECT * FROM run_inputs WHERE run_id IN (${IDS}) ORDER BY run_id, position`, ids)) {
    const input: DatasetInput = {
      name: String(row.name),
      digest: String(row.digest),
      sourceType: String(row.source_type),
      source: String(row.source),
      ...(row.schema === null ? {} : { schema: String(row.schema) }),
      ...(row.profile === null ? {} : { profile: String(row.profile) }),
      ...(row.context === null ? {} : { context: String(row.context) }),
    };
    runs.get(String(row.run_id))?.inputs.push(input);
  }
  return runs;
}

/** The inline points of one short series (empty when it has none). */
export function readInlinePoints(db: DurableDatabase, runId: string, key: string): Uint8Array {
  const points = db.rows('SELECT points FROM metric_inline WHERE run_id = ? AND key = ?', [runId, key])[0]?.[0];
  return points instanceof Uint8Array ? points : new Uint8Array(0);
}

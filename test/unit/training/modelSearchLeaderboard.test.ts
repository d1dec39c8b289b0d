import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ModelSearchResult } from '../../../src/core/training/modelSearch';
import { latencyVerdict, rankLeaderboard, type LeaderboardEntry } from '../../../src/core/training/modelSearchLeaderboard';
import { budgetOutcome } from '../../../src/core/training/modelSearchOutcome';

const P99 = 'predict_latency_p99_ms';

function trained(label: string, valLoss: number, p99: number | undefined, maxLatencyMs: number | undefined): Omit<LeaderboardEntry, 'rank'> {
  const metrics = { val_loss: valLoss, ...(p99 !== undefined ? { [P99]: p99 } : {}) };
  const tooSlow = latencyVerdict(metrics, maxLatencyMs);
  return { label, runId: label, state: tooSlow ? 'too_slow' : 'complete', metrics, seconds: 1, ...(tooSlow ? { error: tooSlow } : {}) };
}

function result(leaderboard: LeaderboardEntry[], maxLatencyMs?: number): ModelSearchResult {
  return { parentRunId: 'p', metric: 'val_loss', direction: 'minimize', leaderboard, candidates: [], budgetSeconds: 60, spent: { seconds: 3 }, ...(maxLatencyMs !== undefined ? { maxLatencyMs } : {}) };
}

describe('Find Best Model with a latency budget', () => {
  test('a candidate whose p99 is over the budget is ranked out below every candidate within it, and marked too slow', () => {
    const entries = [trained('MLP 128', 0.1, 3.2, 2), trained('forest', 0.2, 2, 2), trained('linear', 0.4, 0.05, 2), { label: 'MLP 16', state: 'failed' as const, metrics: {}, seconds: 1, error: 'boom' }];
    const board = rankLeaderboard(entries, 'val_loss', 'minimize');
    assert.deepEqual(board.map((e) => [e.rank, e.label, e.state]), [
      [1, 'forest', 'complete'],
      [2, 'linear', 'complete'],
      [3, 'MLP 128', 'too_slow'],
      [4, 'MLP 16', 'failed'],
    ], 'the most accurate model is too slow: the best within the budget wins');
    assert.equal(board[2]?.error, 'too slow: p99 3.2 ms > 2 ms');
    assert.equal(board[2]?.value, 0.1, 'its accuracy is still shown');
    assert.equal(board[1]?.error, undefined, 'p99 equal to the budget is within it');
    assert.equal(budgetOutcome(result(board, 2)), 'Latency budget p99 ≤ 2 ms: 1 of 3 trained candidates too slow, ranked out.');
  });

  test('without a latency budget nothing is ranked out and the outcome says nothing about latency', () => {
    const board = rankLeaderboard([trained('MLP 128', 0.1, 30, undefined), trained('linear', 0.4, 0.05, undefined)], 'val_loss', 'minimize');
    assert.deepEqual(board.map((e) => [e.label, e.state]), [['MLP 128', 'complete'], ['linear', 'complete']]);
    assert.equal(budgetOutcome(result(board)), undefined);
  });

  test('a latency that was not measured cannot meet a budget; all too slow says so', () => {
    assert.match(latencyVerdict({ val_loss: 1 }, 5) ?? '', /^latency not measured \(no test rows\)/);
    const board = rankLeaderboard([trained('a', 0.3, 12, 5), trained('b', 0.2, 7.5, 5)], 'val_loss', 'minimize');
    assert.deepEqual(board.map((e) => [e.label, e.error]), [['b', 'too slow: p99 7.5 ms > 5 ms'], ['a', 'too slow: p99 12 ms > 5 ms']]);
    assert.equal(budgetOutcome(result(board, 5)), 'Latency budget p99 ≤ 5 ms: none of the 2 trained candidates is within it (all too slow).');
  });

  test('a higher-is-better metric ranks within each group too', () => {
    const board = rankLeaderboard(
      [{ ...trained('a', 0, 1, 2), metrics: { val_accuracy: 0.8, [P99]: 1 } }, { ...trained('b', 0, 1, 2), metrics: { val_accuracy: 0.9, [P99]: 1 } }],
      'val_accuracy',
      'maximize',
    );
    assert.deepEqual(board.map((e) => e.label), ['b', 'a']);
  });
});

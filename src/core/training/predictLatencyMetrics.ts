/** The run metrics of a model's measured one-row scoring latency (ms), apart so that readers of them load nothing else. */
export const PREDICT_LATENCY_METRICS = { p50: 'predict_latency_p50_ms', p99: 'predict_latency_p99_ms' } as const;

/**
 * `@parley/core/observability`: the metrics registry (prom-client) and its sink, the log,
 * request stats and the Prometheus text parser. The main entry point re-exports only what a
 * front end needs on every run (the log and the sink), to keep start-up small.
 */
export {
  NO_METRICS,
  MetricsFanout,
  type Api,
  type MetricsSink,
  type ResidencyLoadSample,
  type RouterDecisionSample,
  type ToolCallSample,
  type ToolOutcome,
  type TurnOutcome,
  type TurnSample,
} from './metrics-sink.js';
export {
  createMetrics,
  ParleyMetrics,
  safeLabel,
  DURATION_BUCKETS,
  TOKENS_PER_SECOND_BUCKETS,
  TTFT_BUCKETS,
  type MetricsOptions,
} from './metrics.js';
export { parsePrometheusText, promValue, type PromFamily, type PromSample } from './prometheus-text.js';
export {
  createLog,
  Log,
  LOG_LEVELS,
  logLevelFrom,
  REDACT_PATHS,
  sanitise,
  SILENT_LOG,
  type LogLevel,
  type LogOptions,
} from './log.js';
export {
  RotatingFile,
  DEFAULT_LOG_FILES,
  DEFAULT_LOG_MAX_BYTES,
  type RotatingFileOptions,
} from './log-file.js';
export { prettyLine, prettyStream } from './log-pretty.js';
export { observeTurn, type TurnObservation } from './observe-turn.js';
export {
  parseSince,
  percentiles,
  quantile,
  requestStats,
  summariseRequests,
  type ModelStats,
  type Percentiles,
  type StatsReport,
} from './request-stats.js';

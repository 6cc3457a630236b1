/**
 * parley core: the event stream, the `ChatModel` contract, the chat engine, the local
 * engine and every provider. The documented entry point is {@link createParley}.
 *
 * @packageDocumentation
 */
export * from './events.js';
export * from './chat-model.js';
export * from './errors.js';
export { redact, registerSecret, maskKey } from './secrets.js';
export { createParley, Parley, Conversation, collectTurn } from './parley.js';
export type { ParleyOptions, StreamOptions, ChatResult, ConversationOptions } from './parley.js';
export { loadConfig, envConfig, ENV_KEYS } from './config/load.js';
export type { LoadedConfig, LoadConfigOptions } from './config/load.js';
export { ConfigSchema, DEFAULTS } from './config/schema.js';
export type { ConfigLayer, ParleyConfig } from './config/schema.js';
export { parleyPaths } from './config/paths.js';
export type { ParleyPaths } from './config/paths.js';
export { runTurn } from './engine/turn.js';
export type { TurnOptions } from './engine/turn.js';
export { backoffDelay, streamWithRetry } from './engine/retry.js';
export type { RetryOptions } from './engine/retry.js';
export { trimToFit, estimateTokens } from './engine/trim.js';
export { LocalEngine } from './local/local-engine.js';
export type { LocalEngineOptions, LocalEngineStats, GpuSetting, LoadedModel } from './local/local-engine.js';
export { LocalChatModel } from './local/local-chat-model.js';
export { chooseThreads } from './local/threads.js';
export { resolveModel, parseModelName, defaultModelName } from './model-resolver.js';
export type { ModelTarget } from './model-resolver.js';
export { PROVIDERS, providerNames, getProviderSpec, inferProviderFromKey } from './providers/catalog.js';
export type { ProviderSpec, ProviderName } from './providers/catalog.js';
export { createProviderModel } from './providers/create-provider-model.js';
export type { CreateProviderModelOptions } from './providers/create-provider-model.js';
export { AiSdkChatModel, toProviderError, parseRetryAfter } from './providers/ai-sdk-chat-model.js';
export { CannedChatModel, CANNED_LOREM, CANNED_NAMES } from './providers/canned-chat-model.js';
export type { CannedName } from './providers/canned-chat-model.js';
export { pullModel, parseModelRef } from './models/download.js';
export { listModels, resolveModelFile } from './models/model-files.js';
export { DEFAULT_LOCAL_MODEL, howToGetAModel } from './models/default-model.js';
export * from './store/index.js';
export * from './cache/index.js';
export * from './templates/index.js';
export * from './tools/index.js';
export * from './router/index.js';
export * from './speech/index.js';
// What every front end needs to log and report; the rest (the prom-client registry, stats,
// the exposition parser) is in '@parley/core/observability', so a one-shot never loads it.
export { createLog, Log, LOG_LEVELS, logLevelFrom, SILENT_LOG } from './observability/log.js';
export type { LogLevel, LogOptions } from './observability/log.js';
export { NO_METRICS, MetricsFanout } from './observability/metrics-sink.js';
export type * from './observability/metrics-sink.js';
export type { ParleyMetrics, MetricsOptions } from './observability/metrics.js';
export type { ModelStats, Percentiles, StatsReport } from './observability/request-stats.js';
export type { PromFamily, PromSample } from './observability/prometheus-text.js';
export {
  ASSISTANT_NAME,
  MAX_INSTRUCTIONS_CHARS,
  checkAssistant,
  checkAssistantName,
  checkAssistantModel,
  checkAssistantTools,
  checkInstructions,
  loadAssistant,
  openAssistantThread,
} from './assistants.js';
export type { AssistantThreadOptions } from './assistants.js';
export {
  generateImageFile,
  imageModelName,
  IMAGE_PROVIDERS,
  MAX_IMAGE_PROMPT_CHARS,
} from './images/generate-image.js';
export type { GeneratedImage, ImageContext, ImageRequest } from './images/generate-image.js';
export { imageKind, imagesDir, parseImageSize, pngSize } from './images/image-files.js';
export type * from './documents/types.js';
export { chunkDocument, DEFAULT_CHUNK_TOKENS, DEFAULT_CHUNK_OVERLAP } from './documents/chunk.js';
export type { ChunkOptions } from './documents/chunk.js';
export {
  retrieveFromDocuments,
  formatContext,
  formatLocation,
  documentLexicalEncoder,
  DEFAULT_TOP_K,
} from './documents/retrieve.js';
export type { RetrieveOptions } from './documents/retrieve.js';
// Documents: reading files into text (attachments and collections share it).
export {
  DocumentRefusedError,
  detectKind,
  extractBytes,
  extractFile,
  formatBytes,
  READABLE_KINDS,
} from './documents/extract.js';
export type { DetectedKind, ExtractOptions, RefusalCode } from './documents/extract.js';
export {
  attachDocuments,
  attachForModel,
  attachmentSettings,
  checkAttachmentLimits,
  inlineText,
  withAttachedParts,
} from './documents/attach.js';
export type {
  AttachmentInfo,
  AttachmentSettings,
  AttachOptions,
  AttachResult,
  AttachTurnOptions,
  ContextFormatter,
  Retriever,
} from './documents/attach.js';
export { expandFilePaths, isGlob } from './documents/file-paths.js';
export type { ExpandOptions, FileToRead } from './documents/file-paths.js';
export { readAttachmentFiles } from './documents/read-files.js';
export type { ReadFilesOptions } from './documents/read-files.js';
export { DocumentCollections, questionWithContext } from './documents/collections/document-collections.js';
export type { DocumentContext } from './documents/collections/document-collections.js';
export type { IndexReport, IndexProgress, SkippedFile } from './documents/collections/index-collection.js';
export { CollectionIndex } from './documents/collections/search-collection.js';
export { indexCollection } from './documents/collections/index-collection.js';
export { VectorIndex } from './documents/vector-index.js';
export { checkCollectionName, documentSettings } from './documents/collections/collection-config.js';
export * from './pipeline/index.js';

/**
 * The one schema that validates every configuration layer: `config.toml`, `PARLEY_*`
 * environment variables and command-line flags. Every field is optional in a layer;
 * `DEFAULTS` fills what no layer sets.
 */
import * as z from 'zod';

import { modelName, positiveInt } from './schema-parts.js';
import {
  AttachmentsSchema,
  DocumentsSchema,
  ImagesSchema,
  PipelinesSchema,
  ResidencySchema,
  VoiceSchema,
} from './feature-schemas.js';

export const ProviderSettingsSchema = z
  .object({
    api_key: z.string().min(1).optional(),
    base_url: z.url().optional(),
  })
  .strict();

const intentName = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'intent names use a-z, 0-9, _ and -');

/** What an intent routes to (docs/router.md). */
export const RouteTargetSchema = z
  .object({
    model: modelName.optional(),
    template: z.string().trim().min(1).optional(),
    tools: z.array(z.string().trim().min(1)).optional(),
    pipeline: z.string().trim().min(1).optional(),
    handler: z.string().trim().min(1).optional(),
  })
  .strict();

/** One intent; the key under `router.intents` is its name. */
export const IntentSchema = z
  .object({
    /** Example utterances; for a default intent they replace its own. */
    examples: z.array(z.string().trim().min(1)).optional(),
    target: RouteTargetSchema.optional(),
    /** Lowest score that wins this intent by embeddings. */
    threshold: z.number().min(-1).max(1).optional(),
    /** Slash commands, without the slash, that pick this intent. */
    commands: z
      .array(z.string().regex(/^[A-Za-z][\w-]*$/, 'a command is a word, without the slash'))
      .optional(),
    /** A turn with an image attached goes to this intent. */
    on_image: z.boolean().optional(),
    /** `false` removes a default intent. */
    enabled: z.boolean().optional(),
  })
  .strict();

/** The semantic router (docs/router.md). */
export const RouterSchema = z
  .object({
    /** Route every turn and emit a `route` event (default false). */
    enabled: z.boolean().optional(),
    /** `lexical` (default, offline), a .gguf path or `local:NAME`, or `provider:model` (embeddings). */
    encoder: z.string().trim().min(1).optional(),
    /** The intent a turn falls to when nothing else decides (default `chit-chat`). */
    default_intent: intentName.optional(),
    /** Lowest score that wins by embeddings when an intent sets none (default: the encoder's). */
    threshold: z.number().min(-1).max(1).optional(),
    /** Examples per intent averaged into its score (default 3). */
    top_k: positiveInt.max(50).optional(),
    /** Decisions kept in memory (default 1000; 0 keeps none). */
    cache_size: z.number().int().min(0).optional(),
    intents: z.record(intentName, IntentSchema).optional(),
  })
  .strict();

export const ConfigSchema = z
  .object({
    /** `provider:model`, an alias, or a path to a .gguf file. */
    model: modelName.optional(),
    system: z.string().optional(),
    temperature: z.number().min(0).max(2).optional(),
    max_tokens: positiveInt.optional(),
    top_p: z.number().gt(0).max(1).optional(),
    seed: z.number().int().optional(),
    /** Thinking mode: the provider's reasoning options on, reasoning streamed apart (`--think`). */
    think: z.boolean().optional(),
    /** Base URL for the chosen provider (OpenAI-compatible servers). */
    base_url: z.url().optional(),
    /** A key without a provider: the provider is inferred from its prefix. */
    api_key: z.string().min(1).optional(),
    stream: z.boolean().optional(),
    /** Models tried in order when the main one fails before its first token. */
    fallback: z.array(modelName).optional(),
    /** Milliseconds before a request without an answer is abandoned. */
    timeout_ms: positiveInt.optional(),
    /** Retries on 429, 5xx and network errors. */
    max_retries: z.number().int().min(0).max(10).optional(),
    retry_base_delay_ms: positiveInt.optional(),
    retry_max_delay_ms: positiveInt.optional(),
    /** Longest prompt accepted, in characters. */
    max_input_chars: positiveInt.optional(),
    /** Messages of history kept before token-aware trimming. */
    history_limit: positiveInt.optional(),
    /** History: the conversation store (see docs/history.md). */
    store: z
      .object({
        /** Save every turn (default true); `--no-log` turns it off for one call. */
        log: z.boolean().optional(),
        /** The SQLite database file (default `parley.db` in the data directory). */
        path: z.string().trim().min(1).optional(),
        /** SQLite's page cache, in MiB (default 2): more makes history search faster on a large history. */
        cache_mb: z.number().int().min(1).max(1024).optional(),
        /** A PostgreSQL database instead of the SQLite file, shared by several instances (docs/DEPLOY.md). */
        url: z
          .string()
          .trim()
          .regex(/^postgres(ql)?:\/\/\S+$/i, 'must be a postgres:// or postgresql:// URL')
          .optional(),
      })
      .strict()
      .optional(),
    /** Sessions of `parley serve`: JSON snapshots, and what a new connection goes on with. */
    sessions: z
      .object({
        /** `new` (default): a connection without a session id starts afresh; `last`: it goes on with the most recent session, restored from its snapshot file when the store lacks it. */
        restore: z.enum(['new', 'last']).optional(),
        /** Write each changed session to `<snapshot_dir>/<id>.json` (default true). */
        snapshots: z.boolean().optional(),
        /** Where snapshots go (default `sessions/` in the data directory). */
        snapshot_dir: z.string().trim().min(1).optional(),
        /** How often changed sessions are written, in ms (default 30000; also on shutdown). */
        snapshot_interval_ms: z.number().int().min(100).optional(),
      })
      .strict()
      .optional(),
    /** The response cache (see docs/cache.md); defaults in `CACHE_DEFAULTS`. */
    cache: z
      .object({
        /** Look answers up and keep them (default true); `--no-cache` turns it off for one call. */
        enabled: z.boolean().optional(),
        /** `deterministic` (temperature 0, the default) or `always` (what `--cache` asks for). */
        mode: z.enum(['deterministic', 'always']).optional(),
        /** Byte budget of the in-memory tier (default 64 MiB). */
        max_bytes: positiveInt.optional(),
        /** How long an answer is served, in ms; 0 for ever (default 7 days). */
        ttl_ms: z.number().int().min(0).optional(),
        /** Keep answers in the store so they survive a restart (default true). */
        persist: z.boolean().optional(),
        /** Byte cap of the stored answers; the least recently used go first (default 256 MiB). */
        persist_max_bytes: positiveInt.optional(),
        /** Evict in-memory answers when the resident set reaches this many MB (default off). */
        pressure_rss_mb: positiveInt.optional(),
        /** … or when the V8 heap in use reaches this many MB (default 85 % of the heap limit). */
        pressure_heap_mb: positiveInt.optional(),
        /** Share of `max_bytes` kept in memory after a pressure eviction (default 0.25). */
        pressure_floor_ratio: z.number().min(0).max(1).optional(),
      })
      .strict()
      .optional(),
    aliases: z
      .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'alias names use letters, digits, _ . -'), modelName)
      .optional(),
    providers: z.record(z.string(), ProviderSettingsSchema).optional(),
    local: z
      .object({
        threads: z.number().int().min(1).max(1024).optional(),
        gpu: z.union([z.enum(['auto', 'cuda', 'vulkan', 'metal']), z.literal(false)]).optional(),
        context_size: z.number().int().min(64).optional(),
        sequences: z.number().int().min(1).max(64).optional(),
        /** Pull the default model on first use when no model is present. */
        auto_pull: z.boolean().optional(),
        /** What to pull on first use (`hf:org/repo:QUANT` or a URL). */
        default_model: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** `parley chat`: the terminal UI (see docs/tui.md). */
    tui: z
      .object({
        /** The models F1 to F4 switch to. */
        favorites: z.array(modelName).max(4, 'at most four favourites: F1 to F4').optional(),
        /** Start in high contrast (F6 toggles it). */
        high_contrast: z.boolean().optional(),
      })
      .strict()
      .optional(),
    router: RouterSchema.optional(),
    /** Files attached to a turn (`-f`, `/attach`, the browser, the WebSocket); see docs/DOCUMENTS.md. */
    attachments: AttachmentsSchema.optional(),
    /** Document collections and retrieval (see docs/DOCUMENTS.md, "Collections"). */
    documents: DocumentsSchema.optional(),
    /** `parley serve`: the HTTP API, the WebSocket and the browser UI. */
    server: z
      .object({
        /** Address to listen on; anything but loopback needs a token. */
        host: z.string().trim().min(1).optional(),
        port: z.number().int().min(0).max(65535).optional(),
        /** Bearer token every HTTP and WebSocket request must carry. */
        token: z.string().min(8, 'use at least 8 characters').optional(),
        /** Browser origins allowed besides the server's own (`*` allows any). */
        origins: z.array(z.string().trim().min(1)).optional(),
        /** Largest WebSocket text frame in bytes (default 1 MiB). */
        max_text_frame: positiveInt.optional(),
        /** Largest WebSocket binary frame in bytes (default 8 MiB). */
        max_binary_frame: positiveInt.optional(),
        /** Largest HTTP request body in bytes (default 8 MiB). */
        max_body: positiveInt.optional(),
        /** WebSocket ping interval; a peer silent for one interval is dropped (default 30000). */
        heartbeat_ms: positiveInt.optional(),
        /** Time a client has to send a request's headers (slow-loris; default 10000). */
        headers_timeout_ms: positiveInt.optional(),
        /** Time a client has to send a whole request, body included (default 60000). */
        request_timeout_ms: positiveInt.optional(),
        /** How long an idle keep-alive connection stays open (default 5000). */
        keep_alive_timeout_ms: positiveInt.optional(),
        /** Largest request head (request line and headers) in bytes; over it: 431 (default 16384). */
        max_header_bytes: z.number().int().min(1024).max(1_048_576).optional(),
        /** Requests per second on one HTTP connection, a burst of as many; 0 is no limit (default 200). */
        http_requests_per_second: z.number().int().min(0).optional(),
        /** Frames per second on one WebSocket, a burst of as many; 0 is no limit (default 200). */
        ws_frames_per_second: z.number().int().min(0).optional(),
        /** Turns per minute on one WebSocket, a burst of as many; 0 is no limit (default 60). */
        ws_turns_per_minute: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    /** Pipelines and modes: voice, broadcast, visual, monitor, router, deep dive (docs/PIPELINES.md). */
    pipelines: PipelinesSchema.optional(),
    /** Model residency: the memory budget models loaded for pipelines share (docs/PIPELINES.md). */
    residency: ResidencySchema.optional(),
    /** Tools the model may call (see docs/tools.md). */
    tools: z
      .object({
        /** Tools on by default: names, MCP tools as `SERVER__tool`, or `all` (default none). */
        enabled: z.array(z.string().trim().min(1)).optional(),
        /** The folder file tools and `shell` work in (default: the current directory). */
        workspace: z.string().trim().min(1).optional(),
        /** Let `fetch_url` reach loopback, private and link-local addresses (default false). */
        allow_private_network: z.boolean().optional(),
        /** Host names `fetch_url` may reach even when they resolve to a private address. */
        allow_hosts: z.array(z.string().trim().min(1)).optional(),
        /** Model calls in one tool-calling turn (default 8). */
        max_steps: z.number().int().min(1).max(100).optional(),
        /** How long to wait for the user's yes before treating it as a no (default 60000). */
        confirm_timeout_ms: positiveInt.optional(),
        /** A tool's safety flag, overriding its default (`shell` stays `dangerous`). */
        safety: z.record(z.string(), z.enum(['safe', 'confirm', 'dangerous'])).optional(),
        /** Tavily's API address (default https://api.tavily.com). */
        web_search_url: z.url().optional(),
        limits: z
          .object({
            /** Largest page `fetch_url` reads, in bytes (default 2 MiB). */
            fetch_max_bytes: positiveInt.optional(),
            /** `fetch_url`'s time limit, in ms (default 15000). */
            fetch_timeout_ms: positiveInt.optional(),
            /** Redirects `fetch_url` follows (default 5). */
            fetch_max_redirects: z.number().int().min(0).max(20).optional(),
            /** `run_code` and `shell` wall-clock limit, in ms (default 10000). */
            run_timeout_ms: positiveInt.optional(),
            /** `run_code` and `shell` data-segment cap, in MB (default 1024). */
            run_memory_mb: z.number().int().min(64).optional(),
            /** Output kept from `run_code` and `shell`, in bytes (default 64 KiB). */
            run_output_bytes: positiveInt.optional(),
            /** Processes `run_code` and `shell` may have at once, where namespaces allow (default 64). */
            run_processes: z.number().int().min(1).max(4096).optional(),
            /** Let `run_code` and `shell` use the network (default false: they get none, where namespaces allow). */
            run_network: z.boolean().optional(),
            /** Largest file `read_file` reads, in bytes (default 1 MiB). */
            read_max_bytes: positiveInt.optional(),
            /** Text handed back to the model from one call, in characters (default 100000). */
            result_max_chars: positiveInt.optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    /** Speech: the VAD, STT and TTS engines of the voice features (see docs/VOICE.md). */
    voice: VoiceSchema.optional(),
    /** MCP servers whose tools join the registry as `NAME__tool` (see docs/tools.md). */
    mcp: z
      .object({
        servers: z
          .record(
            z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'server names use 1-32 letters, digits or -'),
            z
              .object({
                /** stdio: the command to start. */
                command: z.string().trim().min(1).optional(),
                args: z.array(z.string()).optional(),
                env: z.record(z.string(), z.string()).optional(),
                /** Streamable HTTP: the server's URL. */
                url: z.url().optional(),
                /** The safety flag of its tools (default `confirm`). */
                safety: z.enum(['safe', 'confirm', 'dangerous']).optional(),
                /** Leave it configured but do not start it (default true). */
                enabled: z.boolean().optional(),
                /** How long to wait for it to start and list its tools, in ms (default 10000). */
                timeout_ms: positiveInt.optional(),
              })
              .strict()
              .refine((v) => (v.command === undefined) !== (v.url === undefined), {
                message: 'give either command (stdio) or url (streamable HTTP)',
              }),
          )
          .optional(),
      })
      .strict()
      .optional(),
    // ---- images (docs/images.md) ----
    /** Image generation: `parley image` and the router's image intent. */
    images: ImagesSchema.optional(),
  })
  .strict();

export type ConfigLayer = z.infer<typeof ConfigSchema>;

/** Settings that always have a value after merging. */
type Defaulted =
  | 'stream'
  | 'timeout_ms'
  | 'max_retries'
  | 'retry_base_delay_ms'
  | 'retry_max_delay_ms'
  | 'max_input_chars'
  | 'history_limit'
  | 'fallback'
  | 'aliases'
  | 'providers'
  | 'local';

/** The merged configuration with defaults applied. */
export type ParleyConfig = Omit<ConfigLayer, Defaulted> & Required<Pick<ConfigLayer, Defaulted>>;

export const DEFAULTS: Pick<ParleyConfig, Defaulted> = {
  stream: true,
  timeout_ms: 120_000,
  max_retries: 3,
  retry_base_delay_ms: 500,
  retry_max_delay_ms: 30_000,
  max_input_chars: 200_000,
  history_limit: 100,
  fallback: [],
  aliases: {},
  providers: {},
  local: { gpu: 'auto', auto_pull: true, sequences: 1 },
};

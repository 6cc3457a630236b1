/**
 * The config sections of the features around the core: attachments, document collections,
 * pipelines and residency, voice, and image generation. `ConfigSchema` (schema.ts) holds them
 * under their keys; each is documented in docs/config.md.
 */
import * as z from 'zod';
import { modelName, positiveInt } from './schema-parts.js';

/** Files attached to a turn (`-f`, `/attach`, the browser, the WebSocket); see docs/DOCUMENTS.md. */
export const AttachmentsSchema = z
  .object({
    /** Largest file attached, in bytes (default 10 MiB); a larger one is refused. */
    max_file_bytes: positiveInt.optional(),
    /** Most files attached to one turn, globs and folders expanded (default 20). */
    max_files: positiveInt.max(1000).optional(),
    /** Most bytes attached to one turn, all files together (default 32 MiB). */
    max_total_bytes: positiveInt.optional(),
    /** Share of the model's context window attachments may fill whole (default 0.5); the rest go through retrieval. */
    inline_fraction: z.number().gt(0).max(0.9).optional(),
    /** Passages retrieval gives the model from files too large to send whole (default 8). */
    retrieval_k: positiveInt.max(100).optional(),
  })
  .strict();

/** Document collections and retrieval (see docs/DOCUMENTS.md, "Collections"). */
export const DocumentsSchema = z
  .object({
    /** Most tokens in a chunk (default 256). */
    chunk_tokens: z.number().int().min(16).max(8192).optional(),
    /** Tokens repeated from one chunk at the start of the next (default 32). */
    chunk_overlap: z.number().int().min(0).max(4096).optional(),
    /** Passages given to the model for a question (default 5). */
    top_k: z.number().int().min(1).max(50).optional(),
    /** `lexical` (default, offline), a .gguf path or `local:NAME`, or `provider:model` (embeddings). */
    encoder: z.string().trim().min(1).optional(),
    /** Largest file indexed, in bytes (default 10 MiB); larger ones are skipped. */
    max_file_bytes: positiveInt.optional(),
  })
  .strict()
  .refine((d) => (d.chunk_overlap ?? 0) < (d.chunk_tokens ?? 256), {
    message: 'chunk_overlap must be less than chunk_tokens',
    path: ['chunk_overlap'],
  });

/** Pipelines and modes: voice, broadcast, visual, monitor, router, deep dive (docs/PIPELINES.md). */
export const PipelinesSchema = z
  .object({
    /** The language model of voice chat (default: the configured model). */
    voice_model: modelName.optional(),
    /** The vision model of visual chat and the monitor (default: the configured model). */
    vision_model: modelName.optional(),
    /** The heavy reasoning model deep dive swaps in, with thinking on (default: the configured model). */
    reasoning_model: modelName.optional(),
    /** Most tokens of a spoken answer (default 256). */
    voice_max_tokens: positiveInt.optional(),
    /** Speak visual chat's answers too (default false). */
    visual_speak: z.boolean().optional(),
    /** How far ahead of real time speech is sent to the client, in ms (default 400). */
    audio_lead_ms: z.number().int().min(20).max(60_000).optional(),
    /** The monitor looks at every n-th video frame (default 10). */
    monitor_every: z.number().int().min(1).max(10_000).optional(),
    /** The monitor's rule: a yes/no question put to the vision model with each frame. */
    monitor_rule: z.string().trim().min(1).max(2000).optional(),
    /** Video frames waiting on a connection past which new ones are dropped (default 8). */
    video_backlog: z.number().int().min(1).max(1000).optional(),
  })
  .strict();

/** Model residency: the memory budget models loaded for pipelines share (docs/PIPELINES.md). */
export const ResidencySchema = z
  .object({
    /** Memory budget of resident models, in MB (default 8192). */
    budget_mb: positiveInt.optional(),
    /** Roles that stay loaded across modes until their room is needed (default vad, stt, tts). */
    sticky: z.array(z.enum(['vad', 'stt', 'llm', 'vision', 'tts'])).optional(),
    /** Memory estimates by model id (`provider:model`, a .gguf path, a speech engine), in MB. */
    models: z.record(z.string().trim().min(1), z.number().min(0).max(10_000_000)).optional(),
  })
  .strict();

/** Speech: the VAD, STT and TTS engines of the voice features (see docs/VOICE.md). */
export const VoiceSchema = z
  .object({
    /** Voice activity detection: `energy` (default, no model) or `silero` (ONNX model). */
    vad: z.enum(['energy', 'silero']).optional(),
    /** Silence that ends an utterance, in ms (default 300 with the energy VAD, 200 with Silero). */
    end_of_speech_ms: z.number().int().min(30).max(10_000).optional(),
    /** Silero's speech probability threshold (default 0.5). */
    vad_threshold: z.number().gt(0).lt(1).optional(),
    /** Speech to text: `pocketsphinx` (default, offline), `whisper` (local model), `openai`, `groq`. */
    stt: z.enum(['pocketsphinx', 'whisper', 'openai', 'groq']).optional(),
    /** The STT model: a cloud model id, or for `whisper` a model folder (default: the engine's). */
    stt_model: z.string().trim().min(1).optional(),
    /** The spoken language as an ISO-639-1 code, a hint for the STT engine (e.g. `en`). */
    language: z
      .string()
      .regex(/^[a-z]{2}$/, 'an ISO-639-1 code such as en')
      .optional(),
    /** pocketsphinx: a JSGF grammar file that limits recognition to its phrases. */
    grammar: z.string().trim().min(1).optional(),
    /** Text to speech: `espeak-ng` (default, offline) or `openai`. */
    tts: z.enum(['espeak-ng', 'openai']).optional(),
    /** The TTS model id for `openai` (default `gpt-4o-mini-tts`). */
    tts_model: z.string().trim().min(1).optional(),
    /** The voice: an espeak-ng voice (`en`, `en-us`, `fr`...) or a cloud voice (`alloy`). */
    voice: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_+-]{0,39}$/,
        'a voice name: a letter or digit, then letters, digits, _ + -',
      )
      .optional(),
    /** Speaking speed: 1 is normal (0.25-4). */
    speed: z.number().min(0.25).max(4).optional(),
    /** Longest text one TTS call speaks, in characters (default 5000). */
    max_tts_chars: z.number().int().min(100).max(100_000).optional(),
    /** A sentence longer than this is spoken in pieces as the reply streams (default 240). */
    max_sentence_chars: z.number().int().min(20).max(5000).optional(),
  })
  .strict();

/** Image generation: `parley image` and the router's image intent. */
export const ImagesSchema = z
  .object({
    /** The image model, `provider:model` (e.g. `openai:gpt-image-1`); none by default. */
    model: z.string().trim().min(1).optional(),
    /** The size asked for when none is given, `WIDTHxHEIGHT` (default: the model's). */
    size: z
      .string()
      .regex(/^\d{1,5}x\d{1,5}$/, 'give the size as WIDTHxHEIGHT, e.g. 1024x1024')
      .optional(),
    /** Largest image accepted from the provider, in bytes (default 32 MiB). */
    max_bytes: positiveInt.optional(),
  })
  .strict();

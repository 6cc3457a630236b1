/**
 * Image generation (docs/images.md): a prompt to an image model through the AI SDK's
 * `generateImage`, the image checked (it must be a PNG, JPEG or WebP by its own bytes) and
 * saved in the data folder or where asked. Failures are typed: `UsageError` for what the
 * user gave, `ProviderError` (rate limits, refusals, a response that is no image) for the
 * provider's side.
 */
import { statSync } from 'node:fs';
import type { ImageModelV3 } from '@ai-sdk/provider';
import type { ParleyConfig } from '../config/schema.js';
import { ProviderError, UsageError } from '../errors.js';
import { parseModelName } from '../model-resolver.js';
import { getProviderSpec } from '../providers/catalog.js';
import { openAICompatible, resolveProviderSettings } from '../providers/create-provider-model.js';
import { toProviderError } from '../providers/provider-errors.js';
import { imageKind, imageTarget, parseImageSize, pngSize, saveImage, type ImageSize } from './image-files.js';

/** Providers whose image models parley can call. */
export const IMAGE_PROVIDERS = ['openai', 'xai', 'openai-compatible'] as const;
/** The longest prompt sent, in characters. */
export const MAX_IMAGE_PROMPT_CHARS = 32_000;
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

export interface ImageRequest {
  prompt: string;
  /** `WIDTHxHEIGHT`; default `images.size`, else the model's own. */
  size?: string | undefined;
  /** `provider:model`; default `images.model`. */
  model?: string | undefined;
  /** A file, or an existing folder; default `<data dir>/images/ID.png`. */
  output?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** A saved image. */
export interface GeneratedImage {
  /** Absolute path of the saved file. */
  path: string;
  mediaType: string;
  bytes: number;
  /** Width and height, when the image is a PNG. */
  width?: number | undefined;
  height?: number | undefined;
  /** `provider:model` that made it. */
  model: string;
  prompt: string;
  /** The prompt as the provider rewrote it, when it says. */
  revisedPrompt?: string | undefined;
}

/** What `generateImageFile` needs of parley: its settings, its data folder, its env and fetch. */
export interface ImageContext {
  config: ParleyConfig;
  dataDir: string;
  env?: NodeJS.ProcessEnv | undefined;
  fetch?: typeof globalThis.fetch | undefined;
}

/** The image model's name: the one asked for, or `images.model`; `UsageError` when there is none. */
export function imageModelName(config: ParleyConfig, requested?: string): string | undefined {
  return requested?.trim() || config.images?.model;
}

async function imageModel(name: string, ctx: ImageContext): Promise<{ model: ImageModelV3; label: string }> {
  const target = parseModelName(name, ctx.config);
  const provider = target.kind === 'provider' ? target.provider : undefined;
  const spec = provider === undefined ? undefined : getProviderSpec(provider);
  if (target.kind !== 'provider' || !spec || !(IMAGE_PROVIDERS as readonly string[]).includes(spec.kind)) {
    throw new UsageError(
      `${name} cannot make images: use an image model of ${IMAGE_PROVIDERS.join(', ')}, e.g. openai:gpt-image-1`,
    );
  }
  const settings = ctx.config.providers[target.provider] ?? {};
  const envKey = spec.envKeys.map((k) => ctx.env?.[k]).find((v) => v !== undefined && v !== '');
  const { modelId, settings: s } = resolveProviderSettings({
    provider: target.provider,
    modelId: target.modelId,
    apiKey: ctx.config.api_key ?? envKey ?? settings.api_key,
    baseURL: ctx.config.base_url ?? settings.base_url,
    fetch: ctx.fetch,
    env: ctx.env,
  });
  const label = `${spec.name}:${modelId}`;
  switch (spec.kind) {
    case 'openai':
      return { model: (await import('@ai-sdk/openai')).createOpenAI(s).image(modelId), label };
    case 'xai':
      return { model: (await import('@ai-sdk/xai')).createXai(s).image(modelId), label };
    default:
      return {
        model: (await openAICompatible(spec, s)).imageModel(modelId),
        label,
      };
  }
}

/** Generate one image and save it. */
export async function generateImageFile(req: ImageRequest, ctx: ImageContext): Promise<GeneratedImage> {
  const prompt = req.prompt.trim();
  if (prompt === '') throw new UsageError('the image prompt is empty: say what to draw');
  if (prompt.length > MAX_IMAGE_PROMPT_CHARS) {
    throw new UsageError(
      `the image prompt is ${prompt.length} characters; the limit is ${MAX_IMAGE_PROMPT_CHARS}`,
    );
  }
  const rawSize = req.size ?? ctx.config.images?.size;
  const size: ImageSize | undefined = rawSize === undefined ? undefined : parseImageSize(rawSize);
  const name = imageModelName(ctx.config, req.model);
  if (name === undefined) {
    throw new UsageError(
      'no image model is configured: set images.model (e.g. "openai:gpt-image-1") in config.toml, or pass -m provider:model',
    );
  }
  // A missing output folder is the user's mistake: say so before paying for an image.
  if (req.output !== undefined) imageTarget(req.output, ctx.dataDir, { mediaType: 'image/png', ext: 'png' });
  const { model, label } = await imageModel(name, ctx);
  const provider = label.slice(0, label.indexOf(':'));
  let result: Awaited<ReturnType<typeof import('ai').generateImage>>;
  try {
    const { generateImage } = await import('ai');
    result = await generateImage({
      model,
      prompt,
      n: 1,
      ...(size ? { size } : {}),
      maxRetries: ctx.config.max_retries,
      ...(req.signal ? { abortSignal: req.signal } : {}),
    });
  } catch (e) {
    if (req.signal?.aborted) throw e;
    const err = e as { name?: string; cause?: unknown };
    // No image in an otherwise good answer: the provider's fault, said plainly.
    if (err.name === 'AI_NoImageGeneratedError' && err.cause === undefined) {
      throw new ProviderError('malformed_response', `${label} answered without an image`, {
        provider,
        cause: e,
      });
    }
    throw toProviderError(err.name === 'AI_NoImageGeneratedError' && err.cause ? err.cause : e, provider);
  }
  const bytes = result.image.uint8Array;
  const max = ctx.config.images?.max_bytes ?? DEFAULT_MAX_BYTES;
  if (bytes.byteLength > max) {
    throw new ProviderError(
      'malformed_response',
      `${label} sent an image of ${bytes.byteLength} bytes; the limit is ${max} (images.max_bytes)`,
      { provider },
    );
  }
  const kind = imageKind(bytes);
  if (!kind) {
    throw new ProviderError(
      'malformed_response',
      `${label} did not send an image (its data is not a PNG, JPEG or WebP file); nothing was saved`,
      { provider },
    );
  }
  const file = imageTarget(req.output, ctx.dataDir, kind);
  await saveImage(file, bytes, ctx.dataDir);
  const revised = (result.providerMetadata as Record<string, { images?: { revisedPrompt?: unknown }[] }>)[
    provider
  ]?.images?.[0]?.revisedPrompt;
  return {
    path: file,
    mediaType: kind.mediaType,
    bytes: statSync(file).size,
    ...(pngSize(bytes) ?? {}),
    model: label,
    prompt,
    ...(typeof revised === 'string' ? { revisedPrompt: revised } : {}),
  };
}

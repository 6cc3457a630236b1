/**
 * `parley chat`'s turn that the router sends to image generation (docs/images.md): with
 * routing on (`router.enabled`) and an image model configured (`images.model`) it makes an
 * image and says where it was saved; with no image model, a notice says so and the chat
 * answers.
 */
import {
  ParleyError,
  describeError,
  routeEvent,
  type ChatEvent,
  type NoticeEvent,
  type Parley,
} from '@parley/core';

const IMAGE_COMMAND = /^\s*\/(image|imagine|draw)\b\s*/i;

export async function imageTurn(
  parley: Parley,
  text: string,
  signal: AbortSignal,
): Promise<{ events?: ChatEvent[]; notice?: NoticeEvent }> {
  const c = parley.config;
  // `/image PROMPT` (the chat's slash command) always means an image; other text only when
  // the router, if on, reads it as an image request.
  const forced = IMAGE_COMMAND.test(text);
  let decision;
  if (!forced) {
    if (c.router?.enabled !== true) return {};
    try {
      decision = await (await parley.router()).route({ text }, signal);
    } catch {
      return {}; // the chat turn routes again and reports it
    }
    if (decision.target.handler !== 'image') return {};
  }
  if (c.images?.model === undefined) {
    const message =
      'this reads as a request for an image, but no image model is configured (set images.model in config.toml); answering with text';
    return { notice: { type: 'notice', level: 'info', code: 'no-image-model', message } };
  }
  const started = performance.now();
  const events: ChatEvent[] = decision ? [routeEvent(decision)] : [];
  try {
    const prompt = text.replace(IMAGE_COMMAND, '');
    const img = await parley.generateImage({ prompt, signal });
    const dims = img.width !== undefined ? `${img.width}x${img.height} ` : '';
    const kind = img.mediaType.replace('image/', '').toUpperCase();
    events.push(
      { type: 'text-delta', text: `Image saved: ${img.path}` },
      {
        type: 'notice',
        level: 'info',
        code: 'image-saved',
        message: `${dims}${kind}, ${img.bytes} bytes, from ${img.model}`,
      },
      {
        type: 'done',
        model: img.model,
        finishReason: 'stop',
        usage: {},
        timings: { ttftMs: null, totalMs: Math.round(performance.now() - started), tokensPerSecond: null },
      },
    );
  } catch (e) {
    const error = ParleyError.is(e)
      ? e.toInfo()
      : { code: 'runtime', message: describeError(e), retryable: false };
    events.push({ type: 'error', error });
  }
  return { events };
}

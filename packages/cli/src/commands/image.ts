/**
 * `parley image "prompt" [-o FILE] [--size WxH] [-m provider:model]` (docs/images.md), and
 * the one-shot's turn that the router sends to image generation.
 */
import { EXIT, UsageError, type GeneratedImage, type Parley } from '@parley/core';
import type { CliArgs } from '../args.js';
import { paint, type Output } from '../output.js';

function describe(img: GeneratedImage): string {
  const dims = img.width !== undefined ? `${img.width}x${img.height} ` : '';
  return `${dims}${img.mediaType.replace('image/', '').toUpperCase()}, ${img.bytes} bytes, from ${img.model}`;
}

/** Print where the image went: the path on stdout (or JSON), what it is on stderr. */
export function printImage(img: GeneratedImage, o: Output, json: boolean): void {
  if (json) {
    o.out.write(`${JSON.stringify({ image: img })}\n`);
    return;
  }
  o.out.write(`${img.path}\n`);
  o.err.write(`${paint(o, 'dim', `saved ${describe(img)}`)}\n`);
  if (img.revisedPrompt)
    o.err.write(`${paint(o, 'dim', `the prompt as the model read it: ${img.revisedPrompt}`)}\n`);
}

/** Generate with Ctrl+C wired to an abort. */
export async function generate(
  parley: Parley,
  req: Parameters<Parley['generateImage']>[0],
): Promise<GeneratedImage> {
  const ac = new AbortController();
  const onSigint = (): void => ac.abort(new Error('interrupted by Ctrl+C'));
  process.once('SIGINT', onSigint);
  try {
    return await parley.generateImage({ ...req, signal: ac.signal });
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** `parley image …`. */
export async function runImageCommand(parley: Parley, args: CliArgs, o: Output): Promise<number> {
  const prompt = args.rest.join(' ');
  if (args.rest.length === 0) {
    throw new UsageError('parley image needs a prompt: parley image "a lighthouse at dusk" [-o out.png]');
  }
  const img = await generate(parley, { prompt, size: args.size, model: args.model, output: args.output });
  printImage(img, o, args.json);
  return EXIT.ok;
}

/**
 * A routed one-shot whose intent's target is the image handler: generate an image instead of
 * chatting (exit code), or, with no image model configured, say so and let the chat answer
 * (undefined). Undefined too for every other intent.
 */
export async function imageIntent(
  parley: Parley,
  text: string,
  args: CliArgs,
  o: Output,
  signal: AbortSignal,
): Promise<number | undefined> {
  let handler: string | undefined;
  try {
    const d = await (
      await parley.router()
    ).route({ text, ...(args.intent ? { intent: args.intent } : {}) }, signal);
    handler = d.target.handler;
  } catch {
    return undefined; // the chat turn routes again and reports the failure as it always does
  }
  if (handler !== 'image') return undefined;
  if (parley.config.images?.model === undefined) {
    o.err.write(
      `${paint(o, 'yellow', 'parley:')} this reads as a request for an image, but no image model is configured (set images.model in config.toml, see docs/images.md); answering with text\n`,
    );
    return undefined;
  }
  const prompt = text.replace(/^\s*\/(image|imagine|draw)\b\s*/i, '');
  printImage(await parley.generateImage({ prompt, signal }), o, args.json);
  return EXIT.ok;
}

/**
 * A WebSocket turn the router sends to image generation (docs/images.md): when routing is on
 * (`router.enabled`) and an image model is configured (`images.model`), a turn whose intent's
 * target is the image handler makes an image instead of an answer. The client gets the
 * `route` event, an `image` envelope with the URL to fetch it from, and `done` (or `error`).
 * The turn is saved in the history: the prompt, and a line naming the image file.
 */
import path from 'node:path';
import type { ChatEvent } from '@parley/core';
import { ParleyError, describeError, messageText, routeEvent } from '@parley/core';
import type { ActiveTurn } from './turns.js';
import { saveFinishedTurn } from './ws-saved-turn.js';
import type { WsTurnArgs } from './ws-turn.js';

/** Run the turn as an image turn when it is one; false when it is a chat turn. */
export async function runImageTurn(a: WsTurnArgs, active: ActiveTurn): Promise<boolean> {
  const parley = a.hub.parley;
  const c = parley.config;
  if (c.images?.model === undefined || c.router?.enabled !== true) return false;
  if (a.user.content.some((p) => p.type === 'image')) return false;
  const text = messageText(a.user);
  let decision;
  try {
    decision = await (await parley.router()).route({ text }, active.signal);
  } catch {
    return false; // the chat turn routes again and reports it
  }
  if (decision.target.handler !== 'image') return false;
  const started = performance.now();
  a.send({ ...routeEvent(decision), turn: a.id });
  let terminal: ChatEvent;
  let saved = '';
  const timings = () => ({
    ttftMs: null,
    totalMs: Math.round(performance.now() - started),
    tokensPerSecond: null,
  });
  try {
    const prompt = text.replace(/^\s*\/(image|imagine|draw)\b\s*/i, '');
    const img = await parley.generateImage({ prompt, signal: active.signal });
    a.send({
      type: 'image',
      turn: a.id,
      url: `/api/images/${path.basename(img.path)}`,
      mediaType: img.mediaType,
      width: img.width,
      height: img.height,
      bytes: img.bytes,
      model: img.model,
      prompt: img.prompt,
      revisedPrompt: img.revisedPrompt,
    });
    // The history keeps a line about the image, not its bytes (they are in the images folder).
    saved = `[image ${path.basename(img.path)}, ${img.width ?? '?'}×${img.height ?? '?'}, made by ${img.model}]`;
    terminal = { type: 'done', model: img.model, finishReason: 'stop', usage: {}, timings: timings() };
  } catch (e) {
    terminal = active.signal.aborted
      ? {
          type: 'interrupted',
          model: c.images.model,
          reason: 'cancelled',
          partialText: '',
          usage: {},
          timings: timings(),
        }
      : {
          type: 'error',
          error: ParleyError.is(e)
            ? e.toInfo()
            : { code: 'runtime', message: describeError(e), retryable: false },
        };
  }
  if (terminal.type === 'error') a.hub.metrics.error('ws', terminal.error.code);
  a.send({ ...terminal, turn: a.id });
  if (a.hub.running.get(a.session.id)?.id === a.id) a.hub.running.delete(a.session.id);
  a.hub.metrics.serverTurnEnded('ws', terminal);
  try {
    const moved = await saveFinishedTurn(
      a.hub,
      a.session,
      { user: a.user, text: saved, terminal, model: c.images.model },
      (e) => a.send({ ...e, turn: a.id }),
    );
    if (terminal.type === 'done') {
      a.session.messages.push(a.user, { role: 'assistant', content: [{ type: 'text', text: saved }] });
      const limit = c.history_limit;
      if (a.session.messages.length > limit) a.session.messages.splice(0, a.session.messages.length - limit);
    }
    if (moved || terminal.type === 'done') await a.hub.store.save(a.session).catch(() => undefined);
  } finally {
    active.end();
  }
  return true;
}

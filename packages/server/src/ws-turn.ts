/**
 * One `text` turn of a WebSocket session: the core's events go out as envelopes tagged
 * with the turn id, an interrupt ends the turn within the protocol's 50 ms, and the answer
 * (or its partial text) joins the session's history.
 */
import type {
  ChatEvent,
  ChatMessage,
  Confirmer,
  ExtractedDocument,
  StreamOptions,
  ToolSession,
} from '@parley/core';
import { ConversationLog, ParleyError, createToolSession, isTerminalEvent, newId } from '@parley/core';
import { TurnLog } from './turn-log.js';
import { forgetDeletedConversation } from './ws-saved-turn.js';
import { runImageTurn } from './ws-image-turn.js';
import type { ActiveTurn } from './turns.js';
import type { WsHub } from './ws-hub.js';
import type { SessionRecord } from './ws-session.js';
import type { DownstreamEnvelope } from './ws-protocol.js';

/** A running turn, as the session and its connection see it. */
export interface RunningTurn {
  readonly id: string;
  /** Cancel it; `interrupted` follows within the grace period. */
  interrupt(reason: string): void;
}

/** What one turn runs on. */
export interface WsTurnArgs {
  hub: WsHub;
  session: SessionRecord;
  /** Sends an envelope to the connection that started the turn (dropped once it is closed). */
  send: (e: DownstreamEnvelope) => void;
  id: string;
  /** The core's model name, and the id the client knows it by. */
  modelName: string;
  modelId: string;
  user: ChatMessage;
  /** What the model gets in place of the user's typed text (a question with its passages). */
  asked?: string;
  /** Files read from the frame: they join the user's message before it is saved and sent. */
  attachments?: ExtractedDocument[] | undefined;
  /** Asks the client before a risky tool runs (tools are on when `tools.enabled` lists some). */
  confirm?: Confirmer;
  /** Thinking mode on (deep dive). */
  think?: boolean;
  /** Route the turn through the semantic router (router mode). */
  route?: boolean;
}

const GRACE = Symbol('grace');

/** Wait for the model's own terminal event after an abort, but no longer than the grace period. */
function graceAfterAbort(signal: AbortSignal, ms: number): Promise<typeof GRACE> {
  return new Promise((resolve) => {
    const arm = (): void => void setTimeout(() => resolve(GRACE), ms);
    if (signal.aborted) arm();
    else signal.addEventListener('abort', arm, { once: true });
  });
}

/** Read the stream to its end, then close it so its own cleanup runs. */
async function drain(it: AsyncIterator<ChatEvent>): Promise<void> {
  for (;;) {
    const r = await it.next();
    if (r.done || isTerminalEvent(r.value)) break;
  }
  await it.return?.();
}

/** Start a turn; it runs in the background and registers itself as the session's running turn. */
export function startWsTurn(a: WsTurnArgs): RunningTurn {
  const active = a.hub.turns.start('ws');
  const running: RunningTurn = { id: a.id, interrupt: (reason) => active.abort(reason) };
  a.hub.running.set(a.session.id, running);
  void runWsTurn(a, active).catch(() => undefined);
  return running;
}

/**
 * The user's message with the attached files before its own parts, the notices sent; or
 * undefined when they cannot go (an `error` envelope has said why).
 */
async function attachToTurn(a: WsTurnArgs, signal: AbortSignal): Promise<ChatMessage | undefined> {
  try {
    const question = a.user.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
    const r = await a.hub.parley.attach(a.attachments ?? [], { question, model: a.modelName, signal });
    for (const n of r.notices) a.send({ ...n, turn: a.id });
    return { role: 'user', content: [...r.parts, ...a.user.content] };
  } catch (e) {
    const info = ParleyError.is(e)
      ? e.toInfo()
      : { code: 'internal', message: 'the attachments could not be read', retryable: false };
    a.hub.metrics.error('ws', info.code);
    a.send({ type: 'error', error: info, turn: a.id });
    return undefined;
  }
}

async function runWsTurn(a: WsTurnArgs, active: ActiveTurn): Promise<void> {
  if (await runImageTurn(a, active)) return;
  const { hub, session } = a;
  const s = session.settings;
  const log = hub.parley.log.child({ req: newId(), session: session.id, turn: a.id });
  const opts: StreamOptions = { model: a.modelName, signal: active.signal, log, source: 'ws' };
  if (s.system !== undefined) opts.system = s.system;
  if (s.temperature !== undefined) opts.temperature = s.temperature;
  if (s.maxTokens !== undefined) opts.maxTokens = s.maxTokens;
  if (a.think) opts.think = true;
  if (a.route) opts.route = true;
  const started = performance.now();
  let firstAt: number | undefined;
  let text = '';
  let terminal: ChatEvent | undefined;
  await forgetDeletedConversation(hub, session);
  let tools: ToolSession | undefined;
  const enabled = hub.parley.config.tools?.enabled ?? [];
  if (enabled.length > 0 && a.confirm) {
    try {
      tools = await createToolSession(hub.parley.config, { enabled, confirm: a.confirm });
      opts.tools = tools;
    } catch (e) {
      a.send({
        type: 'notice',
        level: 'warn',
        code: 'tools-unavailable',
        message: `tools are off for this turn: ${e instanceof Error ? e.message : String(e)}`,
        turn: a.id,
      });
    }
  }
  // The typed text, found before attached files go in front of it.
  const typed = a.asked === undefined ? undefined : a.user.content.find((p) => p.type === 'text');
  if (a.attachments?.length) {
    const attached = await attachToTurn(a, active.signal);
    if (!attached) {
      void tools?.close();
      if (hub.running.get(session.id)?.id === a.id) hub.running.delete(session.id);
      hub.metrics.serverTurnEnded('ws', undefined);
      active.end();
      return;
    }
    a = { ...a, user: attached };
  }
  const sent: ChatMessage =
    a.asked === undefined
      ? a.user
      : {
          role: 'user',
          content:
            typed === undefined
              ? [{ type: 'text', text: a.asked }, ...a.user.content]
              : a.user.content.map((p) => (p === typed ? { type: 'text', text: a.asked as string } : p)),
        };
  const stream = hub.parley.stream({ messages: [...session.messages, sent] }, opts);
  // Saved beside the turn; the user's message is committed before the request goes out.
  const c = hub.parley.config;
  const saving = hub.options.log
    ? new TurnLog(
        new ConversationLog(() => hub.parley.store(), {
          conversationId: session.conversationId,
          source: 'server',
        }),
        a.user.content,
        { system: opts.system ?? c.system, model: a.modelName, defaultModel: c.model },
        (e) => a.send({ ...e, turn: a.id }),
      )
    : undefined;
  await saving?.ready;
  const events = saving ? saving.tap(stream) : stream;
  const it = events[Symbol.asyncIterator]();
  const grace = graceAfterAbort(active.signal, hub.options.interruptGraceMs);
  try {
    for (;;) {
      const r = await Promise.race([it.next(), grace]);
      if (r === GRACE) {
        // The model has not stopped yet: end the turn for the client now, let the model wind down.
        terminal = {
          type: 'interrupted',
          model: a.modelId,
          reason: typeof active.signal.reason === 'string' ? active.signal.reason : 'cancelled',
          partialText: text,
          usage: {},
          timings: {
            ttftMs: firstAt === undefined ? null : Math.round(firstAt - started),
            totalMs: Math.round(performance.now() - started),
            tokensPerSecond: null,
          },
        };
        a.send({ ...terminal, turn: a.id });
        void drain(it).catch(() => undefined);
        break;
      }
      if (r.done) break;
      const e = r.value;
      if (e.type === 'text-delta' || e.type === 'reasoning-delta') firstAt ??= performance.now();
      if (e.type === 'text-delta') text += e.text;
      if (e.type === 'error') hub.metrics.error('ws', e.error.code);
      a.send({ ...e, turn: a.id });
      if (isTerminalEvent(e)) {
        terminal = e;
        void it.return?.().catch(() => undefined);
        break;
      }
    }
  } finally {
    void tools?.close();
    if (hub.running.get(session.id)?.id === a.id) hub.running.delete(session.id);
    hub.metrics.serverTurnEnded('ws', terminal);
    // A shutdown waits for the turn, its last save included (after an interrupt's grace
    // period that is when the model has wound down).
    void (saving?.done ?? Promise.resolve()).finally(() => active.end());
    const conversationId = saving?.log.conversationId;
    const newConversation = conversationId !== undefined && conversationId !== session.conversationId;
    if (newConversation) session.conversationId = conversationId;
    if (terminal?.type === 'done' || terminal?.type === 'interrupted') {
      session.messages.push(a.user);
      if (text) session.messages.push({ role: 'assistant', content: [{ type: 'text', text }] });
      const limit = hub.parley.config.history_limit;
      if (session.messages.length > limit) session.messages.splice(0, session.messages.length - limit);
      await hub.store.save(session).catch(() => undefined);
    } else if (newConversation) {
      await hub.store.save(session).catch(() => undefined);
    }
  }
}

/**
 * parley's browser UI: wires the page to `/ws` (docs/PROTOCOL.md) and `GET /v1/models`.
 * Plain ES modules, no build step (docs/web-ui.md).
 */
import { Attachments } from './attachments.js';
import { ChatView } from './chat-view.js';
import { Connection } from './connection.js';
import { HistoryList } from './history-list.js';
import { MediaBar } from './media-bar.js';

const $ = (id) => document.getElementById(id);
const ui = {
  model: $('model'),
  newChat: $('new-chat'),
  conn: $('conn'),
  log: $('log'),
  empty: $('empty'),
  composer: $('composer'),
  prompt: $('prompt'),
  attach: $('attach'),
  docs: $('docs'),
  collections: $('collections'),
  file: $('file'),
  send: $('send'),
  stop: $('stop'),
  status: $('status'),
  settingsForm: $('settings-form'),
  settingsNote: $('settings-note'),
  maxTokens: $('max-tokens'),
  temperature: $('temperature'),
  system: $('system'),
  history: $('history'),
};
const media = {
  bar: $('media'),
  mode: $('mode'),
  modeError: $('mode-error'),
  note: $('media-note'),
  mic: $('mic'),
  gate: $('gate'),
  camera: $('camera'),
  snapshot: $('snapshot'),
  interrupt: $('interrupt'),
  preview: $('preview'),
  toasts: $('toasts'),
};

/** A `?token=` the page was opened with: kept in memory, taken out of the address bar. */
function takeToken() {
  const url = new URL(location.href);
  const token = url.searchParams.get('token') ?? undefined;
  if (token) {
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return token;
}

const token = takeToken();
const view = new ChatView(ui.log, ui.empty);
const attachments = new Attachments($('attachments'), (m) => setStatus(m, 'error'));
const historyList = new HistoryList($('conversations'), $('history-note'), {
  token,
  onOpen: openConversation,
});
/**
 * The running turn: its id and reply (none yet for a spoken turn before its answer), or
 * undefined. `started` once the server's `turn` came: a mode that speaks names the turn itself.
 */
let current;
/** The mode switcher, microphone, camera and speech (made once the connection exists). */
let bar;
let turnCount = 0;
let maxFrame = 1024 * 1024;
let serverDefault = '';
let newChatAfterTurn = false;

function setStatus(text, kind = 'info') {
  ui.status.textContent = text;
  ui.status.dataset.kind = kind;
}

function updateControls() {
  const busy = current !== undefined;
  ui.send.disabled = busy || !conn.ready || (bar !== undefined && !bar.takesText);
  ui.stop.disabled = !busy;
}

const conn = new Connection({
  token,
  onState(state, detail) {
    ui.conn.dataset.state = state;
    ui.conn.textContent =
      state === 'ready' ? 'connected' : state === 'closed' ? 'disconnected' : 'connecting…';
    if (state === 'closed') {
      if (current) endTurn('error', 'the connection was lost');
      setStatus(detail ?? 'disconnected', 'error');
      bar?.closed(detail ?? 'disconnected');
    }
    updateControls();
  },
  onReady(ready) {
    maxFrame = ready.limits?.max_text_frame ?? maxFrame;
    serverDefault = ready.model;
    fillModels(ready.models, ready.model);
    ui.collections.replaceChildren(
      ...(ready.collections ?? []).map((name) =>
        Object.assign(document.createElement('option'), { value: name }),
      ),
    );
    if (ui.log.querySelector('.msg') === null && ready.history.length > 0) view.showHistory(ready.history);
    if (settingsPatch()) conn.send({ type: 'control', action: 'settings', settings: settingsPatch() });
    if (ui.status.dataset.kind !== 'done') setStatus(`Ready · ${ready.model}`);
    document.body.dataset.session = ready.session;
    bar.ready(ready.modes, ready.mode);
  },
  onEnvelope: handle,
  onBinary: (frame) => bar.binary(frame),
});
bar = new MediaBar(media, {
  conn,
  attachments,
  onModeChange: updateControls,
  onInterrupt() {
    conn.send({ type: 'control', action: 'interrupt' });
    if (current) setStatus('Stopping…', 'busy');
  },
});

/** Fill the picker; the user's choice survives a refill, else the session's model is selected. */
function fillModels(ids, selected) {
  const keep = ui.model.dataset.chosen === 'true' ? ui.model.value : selected;
  const list = ids.includes(selected) ? ids : [selected, ...ids];
  ui.model.replaceChildren(
    ...list.map((id) => {
      const o = document.createElement('option');
      o.value = id;
      o.textContent = id === serverDefault ? `${id} (default)` : id;
      return o;
    }),
  );
  ui.model.value = list.includes(keep) ? keep : selected;
  ui.model.disabled = false;
}

async function loadModels() {
  try {
    const res = await fetch('/v1/models', { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (!res.ok) throw new Error(`GET /v1/models: ${res.status}`);
    const body = await res.json();
    const ids = body.data.map((m) => m.id);
    fillModels(ids, serverDefault || ids[0]);
  } catch (e) {
    setStatus(e instanceof Error ? e.message : 'could not list the models', 'error');
  }
}

function formatTimings(e) {
  const t = e.timings ?? {};
  const parts = [e.model];
  parts.push(
    t.ttftMs === null || t.ttftMs === undefined ? 'no tokens' : `first token ${Math.round(t.ttftMs)} ms`,
  );
  if (typeof t.tokensPerSecond === 'number') parts.push(`${t.tokensPerSecond.toFixed(1)} tokens/s`);
  if (typeof e.usage?.outputTokens === 'number') parts.push(`${e.usage.outputTokens} tokens`);
  return parts.join(' · ');
}

/** The running turn's reply, made when its first words arrive (a spoken turn has none before). */
function replyOf(turn) {
  turn.reply ??= view.addReply(turn.id);
  return turn.reply;
}

function endTurn(kind, message) {
  if (!current) return;
  if (current.reply || kind !== 'done') replyOf(current).finish(kind, message);
  current = undefined;
  updateControls();
  if (ui.history.open) void historyList.refresh();
  if (newChatAfterTurn) startNewChat();
}

/** A `turn` envelope: ours, ours renamed by a mode that speaks, or one the pipeline started (speech). */
function turnStarted(e) {
  if (current && !current.started) current.id = e.turn;
  else if (!current) current = { id: e.turn, reply: undefined };
  else if (e.turn !== current.id) return;
  current.started = true;
  setStatus(`${e.model} · ${e.mode === undefined ? 'generating' : e.mode}…`, 'busy');
  updateControls();
}

function handle(e) {
  if (bar.handle(e)) return;
  if (e.type === 'turn') return turnStarted(e);
  const mine = current !== undefined && e.turn === current.id;
  switch (e.type) {
    case 'transcript':
      if (mine) view.addUser(e.text === '' ? '(nothing was heard)' : e.text).classList.add('spoken');
      return;
    case 'text-delta':
      if (mine) replyOf(current).append(e.text);
      return;
    case 'reasoning-delta':
      if (mine) replyOf(current).reasoning(e.text);
      return;
    case 'citations':
      if (mine) replyOf(current).sources(e.citations);
      return;
    case 'image':
      if (mine) current.reply.image(e);
      return;
    case 'tool-call':
      if (mine) replyOf(current).note(`Tool call: ${e.name}`);
      return;
    case 'tool-result':
      if (mine) replyOf(current).note(`Tool result: ${e.name}${e.isError ? ' (failed)' : ''}`);
      return;
    case 'notice':
      setStatus(e.message, e.level === 'warn' ? 'error' : 'info');
      return;
    case 'done':
      if (!mine) return;
      endTurn('done');
      setStatus(`${formatTimings(e)} · ${e.finishReason}`, 'done');
      return;
    case 'interrupted':
      if (!mine) return;
      endTurn('interrupted');
      setStatus(`Interrupted · ${formatTimings(e)}`, 'interrupted');
      return;
    case 'error':
      if (mine) endTurn('error', e.error.message);
      setStatus(`${e.error.code}: ${e.error.message}`, 'error');
      return;
    case 'ack':
      if (e.action === 'settings') ui.settingsNote.textContent = `Applied to this chat.`;
      return;
    case 'control_signal':
      if (mine) confirmTool(e);
      return;
    default:
      return;
  }
}

/** A risky tool asks first (docs/PROTOCOL.md, control_signal): the browser's own dialog. */
function confirmTool(e) {
  if (e.signal === 'confirm_expired') {
    replyOf(current).note(`Not confirmed in time: ${e.id}`);
    return;
  }
  if (e.signal !== 'confirm_action') return;
  const what = e.safety === 'dangerous' ? 'DANGEROUS: ' : '';
  const approve = window.confirm(`${what}allow this tool call?\n\n${e.summary}`);
  replyOf(current).note(`${approve ? 'Allowed' : 'Refused'}: ${e.tool}`);
  conn.send({ type: 'control', action: 'confirm_action', id: e.id, approve });
}

function send() {
  const text = ui.prompt.value;
  if (current || (text.trim() === '' && attachments.items.length === 0)) return;
  if (text.length + attachments.size() + 1024 > maxFrame) {
    setStatus(`The message is too large to send (the limit is ${Math.floor(maxFrame / 1024)} KiB)`, 'error');
    return;
  }
  const id = `t${Date.now().toString(36)}-${++turnCount}`;
  const images = attachments.images();
  const files = attachments.files();
  const msg = { type: 'text', id, text };
  // Other modes answer with their own models (voice speaks only then); a model picked by hand still wins in them, except in voice.
  const chosen = ui.model.dataset.chosen === 'true' && bar.mode !== 'voice';
  if (ui.model.value && (bar.mode === 'text' || chosen)) msg.model = ui.model.value;
  if (images.length > 0) msg.images = images.map(({ mediaType, data }) => ({ mediaType, data }));
  if (files.length > 0) msg.attachments = files.map(({ name, data }) => ({ name, data }));
  const docs = ui.docs.value.trim();
  if (docs !== '') msg.docs = docs;
  if (!conn.send(msg)) {
    setStatus('Not connected yet: the message was not sent', 'error');
    return;
  }
  attachments.take();
  view.addUser(text, images, files);
  current = { id, reply: view.addReply(id) };
  ui.prompt.value = '';
  setStatus('Waiting for the first token…', 'busy');
  updateControls();
}

function stop() {
  bar.player.stop();
  if (!current) return;
  conn.send({ type: 'control', action: 'interrupt', turn: current.id });
  setStatus('Stopping…', 'busy');
}

function startNewChat() {
  if (current) {
    // hello is refused while a turn runs: stop it, and start the new chat when it has ended.
    newChatAfterTurn = true;
    stop();
    return;
  }
  newChatAfterTurn = false;
  view.clear();
  conn.newSession();
  setStatus('New chat');
  ui.prompt.focus();
}

/** Open a saved conversation from the list: the server sends its history in `ready`. */
function openConversation(id) {
  if (current) {
    setStatus('Stop the running answer before opening another conversation', 'error');
    return;
  }
  view.clear();
  conn.openSession(id);
  setStatus('Opening the conversation…');
}

/** The settings form as a `control: settings` patch; undefined when nothing is set. */
function settingsPatch() {
  const max = ui.maxTokens.valueAsNumber;
  const temp = ui.temperature.valueAsNumber;
  const system = ui.system.value.trim();
  const patch = {
    max_tokens: Number.isInteger(max) && max > 0 ? max : null,
    temperature: Number.isFinite(temp) ? temp : null,
    system: system === '' ? null : system,
  };
  return Object.values(patch).some((v) => v !== null) ? patch : undefined;
}

ui.composer.addEventListener('submit', (ev) => {
  ev.preventDefault();
  send();
});
ui.prompt.addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
    ev.preventDefault();
    send();
  }
});
document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape' && current) stop();
});
ui.stop.addEventListener('click', stop);
ui.newChat.addEventListener('click', startNewChat);
ui.history.addEventListener('toggle', () => {
  if (ui.history.open) void historyList.refresh();
});
ui.model.addEventListener('change', () => (ui.model.dataset.chosen = 'true'));
ui.attach.addEventListener('click', () => ui.file.click());
ui.file.addEventListener('change', async () => {
  await attachments.add([...ui.file.files]);
  ui.file.value = '';
});
// Drop files anywhere on the composer to attach them.
ui.composer.addEventListener('dragover', (ev) => {
  if (!ev.dataTransfer?.types.includes('Files')) return;
  ev.preventDefault();
  ev.dataTransfer.dropEffect = 'copy';
  ui.composer.dataset.drop = 'true';
});
ui.composer.addEventListener('dragleave', () => delete ui.composer.dataset.drop);
ui.composer.addEventListener('drop', (ev) => {
  delete ui.composer.dataset.drop;
  const dropped = [...(ev.dataTransfer?.files ?? [])];
  if (dropped.length === 0) return;
  ev.preventDefault();
  void attachments.add(dropped);
});
ui.settingsForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const patch = settingsPatch() ?? { max_tokens: null, temperature: null, system: null };
  ui.settingsNote.textContent = conn.send({ type: 'control', action: 'settings', settings: patch })
    ? 'Applying…'
    : 'Not connected';
});

conn.connect();
void loadModels();

/**
 * The browser's end of `/ws` (docs/PROTOCOL.md): `hello` → `ready`, then envelopes both ways.
 * A dropped socket reconnects with backoff and resumes the same session with `hello {session}`.
 */

/** Where the current tab's session id is kept, so a reload resumes the conversation. */
const SESSION_KEY = 'parley.session';

function storedSession() {
  try {
    return sessionStorage.getItem(SESSION_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function storeSession(id) {
  try {
    if (id) sessionStorage.setItem(SESSION_KEY, id);
    else sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // storage disabled: the session lasts as long as the socket
  }
}

export class Connection {
  /**
   * @param {{ token?: string, onReady: (ready: object) => void, onEnvelope: (e: object) => void,
   *   onBinary?: (frame: ArrayBuffer) => void,
   *   onState: (state: 'connecting' | 'ready' | 'closed', detail?: string) => void }} opts
   */
  constructor(opts) {
    this.opts = opts;
    this.socket = undefined;
    this.session = storedSession();
    this.retry = 0;
    this.ready = false;
  }

  url() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const query = this.opts.token ? `?token=${encodeURIComponent(this.opts.token)}` : '';
    return `${scheme}//${location.host}/ws${query}`;
  }

  connect() {
    this.ready = false;
    this.opts.onState('connecting');
    const ws = new WebSocket(this.url());
    ws.binaryType = 'arraybuffer';
    this.socket = ws;
    ws.addEventListener('open', () => this.hello(this.session));
    ws.addEventListener('message', (ev) => this.receive(ev.data));
    ws.addEventListener('close', (ev) => {
      if (this.socket !== ws) return;
      this.ready = false;
      const delay = Math.min(10_000, 500 * 2 ** this.retry++);
      this.opts.onState(
        'closed',
        ev.reason || `connection closed (${ev.code}); retrying in ${delay / 1000} s`,
      );
      setTimeout(() => this.connect(), delay);
    });
  }

  /** Start (no id) or resume (an id) a session on the open socket. */
  hello(session) {
    const msg = { type: 'hello' };
    if (session) msg.session = session;
    this.sendRaw(msg);
  }

  /** Forget this session and start a new one. */
  newSession() {
    this.session = undefined;
    storeSession(undefined);
    if (this.socket?.readyState === WebSocket.OPEN) this.hello(undefined);
  }

  /** Open a stored session or conversation by id (the server rebuilds its history). */
  openSession(id) {
    this.session = id;
    storeSession(id);
    if (this.socket?.readyState === WebSocket.OPEN) this.hello(id);
  }

  receive(data) {
    if (data instanceof ArrayBuffer) {
      this.opts.onBinary?.(data);
      return;
    }
    let e;
    try {
      e = JSON.parse(data);
    } catch {
      return;
    }
    if (e.type === 'ready') {
      this.ready = true;
      this.retry = 0;
      this.session = e.session;
      storeSession(e.session);
      this.opts.onState('ready');
      this.opts.onReady(e);
      return;
    }
    this.opts.onEnvelope(e);
  }

  sendRaw(msg) {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(msg));
    return true;
  }

  /** Send a binary frame (audio, video) once the session is ready; false when it could not be sent. */
  sendBinary(buf) {
    if (!this.ready || this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(buf);
    return true;
  }

  /** Bytes queued in the socket, not yet sent. */
  buffered() {
    return this.socket?.bufferedAmount ?? 0;
  }

  /** Send an envelope once the session is ready; false when it could not be sent. */
  send(msg) {
    return this.ready && this.sendRaw(msg);
  }
}

/**
 * parley's stdio transport for MCP servers: the SDK's wire format (one JSON-RPC message a
 * line), with the limits a hostile server needs. A line longer than `maxLineBytes` fails the
 * server instead of being buffered without bound; lines that are not JSON-RPC are skipped;
 * the server runs in its own process group, and `close()` returns only once it has exited
 * (stdin closed, then SIGTERM, then SIGKILL to the whole group).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { deserializeMessage, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export interface StdioOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Longest message (one line) read from the server, in bytes. */
  maxLineBytes: number;
  /** How long the server gets to exit after stdin closes, and again after SIGTERM (ms). */
  graceMs?: number;
}

const NEWLINE = 0x0a;

/**
 * Process groups of the servers still running. If parley exits without closing them (an
 * error, a signal it handles with `process.exit`), they are killed on the way out: they run
 * in their own group, so a terminal's Ctrl+C or hang-up no longer reaches them.
 */
const live = new Set<number>();
let exitHook = false;
function track(pid: number): void {
  live.add(pid);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const p of live) {
      try {
        process.kill(-p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** Why the connection ended, when the server (not parley) ended it. */
  failure: string | undefined;
  private child: ChildProcess | undefined;
  private chunks: Buffer[] = [];
  private size = 0;
  private closing = false;
  private closed = false;
  private exited: Promise<void> | undefined;

  constructor(private readonly opts: StdioOptions) {}

  start(): Promise<void> {
    if (this.child) throw new Error('the stdio transport is already started');
    return new Promise((resolve, reject) => {
      const child = spawn(this.opts.command, this.opts.args, {
        env: this.opts.env,
        stdio: ['pipe', 'pipe', 'ignore'],
        detached: true,
      });
      this.child = child;
      this.exited = new Promise((done) => {
        child.once('exit', () => done());
        child.once('error', () => done());
      });
      child.once('error', (e) => {
        this.failure ??= `could not start ${this.opts.command}: ${e.message}`;
        reject(e);
        this.finish();
      });
      child.once('spawn', () => {
        if (child.pid) track(child.pid);
        resolve();
      });
      child.once('exit', (code, signal) => {
        if (child.pid) live.delete(child.pid);
        if (!this.closing)
          this.failure ??= `the server exited (${code !== null ? `code ${code}` : `signal ${signal}`})`;
        this.killGroup('SIGKILL');
        this.finish();
      });
      child.stdin?.on('error', () => undefined);
      child.stdout?.on('data', (c: Buffer) => this.take(c));
    });
  }

  private take(chunk: Buffer): void {
    let rest = chunk;
    while (!this.closed) {
      const nl = rest.indexOf(NEWLINE);
      if (nl === -1) {
        this.size += rest.length;
        if (rest.length > 0) this.chunks.push(rest);
        if (this.size > this.opts.maxLineBytes) this.tooLong();
        return;
      }
      const head = rest.subarray(0, nl);
      if (this.size + head.length > this.opts.maxLineBytes) return this.tooLong();
      const line = this.chunks.length ? Buffer.concat([...this.chunks, head]) : head;
      this.chunks = [];
      this.size = 0;
      rest = rest.subarray(nl + 1);
      this.deliver(line.toString('utf8').replace(/\r$/, ''));
    }
  }

  private deliver(line: string): void {
    if (line.trim() === '') return;
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(line);
    } catch {
      // An answer to one of parley's requests that is not well-formed fails that request at
      // once, rather than leaving it to time out.
      const id = answerId(line);
      if (id === undefined) return;
      message = {
        jsonrpc: '2.0',
        id,
        error: { code: ErrorCode.InternalError, message: 'the server sent a malformed answer' },
      };
    }
    this.onmessage?.(message);
  }

  private tooLong(): void {
    this.failure ??= `the server wrote a message longer than ${this.opts.maxLineBytes} bytes`;
    this.chunks = [];
    this.size = 0;
    void this.close();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || this.closed || !stdin.writable) {
        reject(new Error(this.failure ?? 'not connected'));
        return;
      }
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    const child = this.child;
    if (this.closing || !child) {
      this.finish();
      return this.exited;
    }
    this.closing = true;
    // Pending requests fail now; the process gets its grace below.
    this.finish();
    const grace = this.opts.graceMs ?? 1000;
    const exited = this.exited ?? Promise.resolve();
    const within = (ms: number): Promise<boolean> =>
      Promise.race([
        exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref()),
      ]);
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin?.end();
      if (!(await within(grace))) {
        this.killGroup('SIGTERM');
        if (!(await within(grace))) {
          this.killGroup('SIGKILL');
          await exited;
        }
      }
    }
    this.killGroup('SIGKILL');
    this.finish();
  }

  private killGroup(signal: NodeJS.Signals): void {
    try {
      if (this.child?.pid) process.kill(-this.child.pid, signal);
    } catch {
      // already gone
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.chunks = [];
    this.child?.stdout?.destroy();
    this.onclose?.();
  }
}

/** The id of a line that looks like an answer (an id, no method), if it has one. */
function answerId(line: string): string | number | undefined {
  let m: unknown;
  try {
    m = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof m !== 'object' || m === null || 'method' in m) return undefined;
  const id = (m as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

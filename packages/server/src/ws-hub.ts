/**
 * The WebSocket endpoint `/ws`: its connections, the running turn of each session, the
 * heartbeat that drops dead peers, and the shutdown that closes them all.
 */
import type { Parley, ParleyMetrics } from '@parley/core';
import type { FastifyInstance } from 'fastify';
import type { ModelCatalog } from './model-catalog.js';
import type { ResolvedServerOptions } from './options.js';
import type { TurnRegistry } from './turns.js';
import { WsConnection } from './ws-connection.js';
import type { SessionStore } from './ws-session.js';
import type { RunningTurn } from './ws-turn.js';
import type { PipelineHost } from './ws-pipelines.js';

/** Close code sent to every client when the server shuts down. */
export const CLOSE_GOING_AWAY = 1001;

/** What the WebSocket side shares between connections. */
export class WsHub {
  readonly connections = new Set<WsConnection>();
  /** The running turn of each session (one at most). */
  readonly running = new Map<string, RunningTurn>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    readonly parley: Parley,
    readonly options: ResolvedServerOptions,
    readonly catalog: ModelCatalog,
    readonly turns: TurnRegistry,
    readonly metrics: ParleyMetrics,
    readonly store: SessionStore,
    readonly pipelines: PipelineHost,
  ) {
    // Residency is shared: every connection with a session hears what loads and unloads.
    pipelines.residency.subscribe((e) => {
      for (const c of this.connections) if (c.hasSession) c.send(e);
    });
  }

  /** The largest frame `ws` reads at all; bigger ones close the connection with 1009. */
  get hardFrameLimit(): number {
    return 2 * Math.max(this.options.maxTextFrame, this.options.maxBinaryFrame);
  }

  /** Register `GET /ws` and start the heartbeat. */
  register(app: FastifyInstance): void {
    app.get('/ws', { websocket: true }, (socket) => {
      const conn = new WsConnection(socket, this);
      this.connections.add(conn);
      this.metrics.openSockets.inc();
      socket.on('close', () => {
        this.connections.delete(conn);
        this.metrics.openSockets.dec();
      });
    });
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Ping every peer; one that has not answered the last ping is dropped. */
  private beat(): void {
    for (const c of this.connections) c.heartbeat();
  }

  /**
   * Stop the heartbeat and close every connection with 1001; peers that do not finish the
   * closing handshake within `graceMs` are cut off.
   */
  async close(reason: string, graceMs = 1000): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.pipelines.close().catch(() => undefined);
    const open = [...this.connections];
    for (const c of open) c.close(CLOSE_GOING_AWAY, reason);
    const closed = open.map((c) => new Promise<void>((resolve) => c.onClosed(resolve)));
    const timer = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.all(closed), timer]);
    for (const c of this.connections) c.socket.terminate();
  }
}

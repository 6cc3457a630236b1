/**
 * Tool confirmation over the WebSocket: the server sends `control_signal` and waits for
 * `control: confirm_action`; yes runs the tool, no and silence (the timeout) do not.
 *
 * The model is a local wire server speaking the OpenAI chat-completions format: a tiny local
 * model cannot call tools, and no cloud API can be reached from a test.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startWireServer,
  type WireServer,
  openAITextReply,
  openAIToolCallReply,
} from '../helpers/wire-server.js';
import { startTestServer, WsClient, type Envelope, type TestServer } from './helpers.js';

const writeCall = (file: string) =>
  openAIToolCallReply('write_file', { path: file, content: 'from ws' }, `call_${file}`);
const textReply = (text: string) => openAITextReply(text);

describe('tool confirmation over the WebSocket', () => {
  let wire: WireServer;
  let srv: TestServer;
  let workspace: string;
  beforeAll(async () => {
    wire = await startWireServer();
    workspace = mkdtempSync(path.join(tmpdir(), 'parley-ws-tools-'));
    srv = await startTestServer({
      config: {
        model: 'openai-compatible:m',
        base_url: `${wire.url}/v1`,
        max_retries: 0,
        tools: { enabled: ['write_file', 'read_file'], workspace, confirm_timeout_ms: 400 },
      },
    });
  });
  afterAll(async () => {
    await srv.close();
    await wire.close();
    rmSync(workspace, { recursive: true, force: true });
  });
  beforeEach(() => wire.reset());

  async function startTurn(file: string): Promise<{ c: WsClient; turn: string; signal: Envelope }> {
    const c = await WsClient.open(srv.wsUrl);
    await c.request({ type: 'hello' });
    wire.reply(writeCall(file), textReply('finished'));
    const turn = `t-${file.replace('.', '-')}`;
    c.send({ type: 'text', id: turn, text: 'write a file' });
    const signal = await c.next((e) => e.type === 'control_signal');
    return { c, turn, signal };
  }
  const toolResult = (events: Envelope[]) => events.find((e) => e.type === 'tool-result');

  it('asks with control_signal, and confirm_action yes runs the tool', async () => {
    const { c, turn, signal } = await startTurn('yes.txt');
    expect(signal).toEqual({
      type: 'control_signal',
      signal: 'confirm_action',
      turn,
      id: 'call_yes.txt',
      tool: 'write_file',
      safety: 'confirm',
      args: { path: 'yes.txt', content: 'from ws' },
      summary: 'write_file {"path":"yes.txt","content":"from ws"}',
      timeout_ms: 400,
    });
    const ack = await c.request({
      type: 'control',
      action: 'confirm_action',
      id: 'call_yes.txt',
      approve: true,
    });
    expect(ack).toEqual({ type: 'ack', action: 'confirm_action', id: 'call_yes.txt', approve: true });
    const events = await c.turn(turn);
    expect(toolResult(events)).toMatchObject({ name: 'write_file', result: 'wrote yes.txt (7 bytes)' });
    expect(events.map((e) => e.type)).toContain('tool-call');
    expect(events.at(-1)?.type).toBe('done');
    expect(readFileSync(path.join(workspace, 'yes.txt'), 'utf8')).toBe('from ws');
    c.close();
  });

  it('approve: false denies it', async () => {
    const { c, turn } = await startTurn('no.txt');
    await c.request({ type: 'control', action: 'confirm_action', id: 'call_no.txt', approve: false });
    const events = await c.turn(turn);
    expect(toolResult(events)).toMatchObject({ isError: true, result: { code: 'denied' } });
    expect(existsSync(path.join(workspace, 'no.txt'))).toBe(false);
    expect(JSON.stringify(wire.requests[1]?.body)).toContain('error (denied)');
    c.close();
  });

  it('no answer within tools.confirm_timeout_ms is a no, and the client is told', async () => {
    const { c, turn } = await startTurn('late.txt');
    const expired = await c.next((e) => e.type === 'control_signal' && e.signal === 'confirm_expired');
    expect(expired).toMatchObject({ turn, id: 'call_late.txt' });
    const events = await c.turn(turn);
    expect(toolResult(events)).toMatchObject({ isError: true, result: { code: 'denied' } });
    // Too late: the answer finds nothing waiting.
    const late = await c.request({
      type: 'control',
      action: 'confirm_action',
      id: 'call_late.txt',
      approve: true,
    });
    expect(late.error?.code).toBe('unsupported');
    expect(existsSync(path.join(workspace, 'late.txt'))).toBe(false);
    c.close();
  });

  it('an interrupt while waiting ends the turn without running the tool', async () => {
    const { c, turn } = await startTurn('int.txt');
    await c.request({ type: 'control', action: 'interrupt' });
    const events = await c.turn(turn);
    expect(events.at(-1)?.type).toBe('interrupted');
    expect(existsSync(path.join(workspace, 'int.txt'))).toBe(false);
    c.close();
  });

  it('confirm_action with a bad envelope gets a typed error and the connection lives on', async () => {
    const c = await WsClient.open(srv.wsUrl);
    await c.request({ type: 'hello' });
    const bad = await c.request({ type: 'control', action: 'confirm_action', id: 'x', approve: 'yes' });
    expect(bad.error?.code).toBe('bad_request');
    const pong = await c.request({ type: 'ping', id: 1 });
    expect(pong.type).toBe('pong');
    c.close();
  });
});

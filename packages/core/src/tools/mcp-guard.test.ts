import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import {
  cleanText,
  DeadlinePassed,
  limitedFetch,
  readResult,
  readTools,
  requestError,
  type ListedTool,
} from './mcp-guard.js';

const ESC = '\u001b';
const link = (closed = false, failure?: string) => ({ failure: () => failure, closed: () => closed });

describe('cleanText', () => {
  it('removes escape sequences of every kind, control characters and bidi overrides', () => {
    expect(cleanText(`a${ESC}[1;31mb${ESC}[0m`, 100)).toBe('ab');
    expect(cleanText(`a${ESC}]52;c;aGk=\u0007b`, 100)).toBe('ab'); // OSC 52, BEL-terminated
    expect(cleanText(`a${ESC}]0;title${ESC}\\b`, 100)).toBe('ab'); // OSC, ST-terminated
    expect(cleanText(`a${ESC}Pdcs${ESC}\\b`, 100)).toBe('ab'); // DCS
    expect(cleanText('a\u009b2Jb\u009d0;t\u009cc', 100)).toBe('abc'); // C1 CSI and OSC
    expect(cleanText(`a${ESC}7b${ESC}`, 100)).toBe('ab'); // two-character escape, lone ESC at the end
    expect(cleanText(`a${ESC}]52;c;never ends`, 100)).toBe('a'); // an OSC cut short swallows the rest
    expect(cleanText('a\u0000\u0007\u007f\u202eb\r\n\tc', 100)).toBe('ab\n\tc');
  });
  it('caps the length, with an ellipsis', () => {
    expect(cleanText('x'.repeat(50), 10)).toBe(`${'x'.repeat(10)}…`);
    expect(cleanText('short', 10)).toBe('short');
  });
});

describe('readTools', () => {
  it('keeps the first of two tools with one name, and the rest of the list', () => {
    const into: ListedTool[] = [];
    const notes = new Map<string, number>();
    const t = (name: string) => ({ name, inputSchema: { type: 'object' } });
    readTools('s', [t('a'), t('a'), { name: 'b' }, t('c')], into, notes);
    expect(into.map((x) => x.name)).toEqual(['a', 'c']);
    expect([...notes]).toEqual([
      ['named twice', 1],
      ['malformed', 1],
    ]);
  });
});

describe('readResult', () => {
  it('turns every shape into text or a typed failure', () => {
    expect(readResult('s__t', { content: [{ type: 'text', text: 'hi' }] })).toBe('hi');
    expect(() => readResult('s__t', 'nonsense')).toThrow("s__t: the server's answer has no content");
    expect(() =>
      readResult('s__t', { isError: true, content: [{ type: 'text', text: `x${ESC}[2J` }] }),
    ).toThrow(/^s__t: x$/);
  });
});

describe('requestError', () => {
  it('a timeout is parley’s own deadline, not an error code a server sent', () => {
    expect(requestError('s__t', new DeadlinePassed(), 500, link())).toMatchObject({
      code: 'timeout',
      message: 's__t: no answer within 500 ms',
    });
    const spoofed = new McpError(ErrorCode.RequestTimeout, 'not really');
    expect(requestError('s__t', spoofed, 500, link())).toMatchObject({ code: 'failed' });
    const closedByServer = new McpError(ErrorCode.ConnectionClosed, 'x');
    expect(requestError('s__t', closedByServer, 500, link())).toMatchObject({ code: 'failed' });
    expect(requestError('s__t', closedByServer, 500, link(true))).toMatchObject({ code: 'unavailable' });
    expect(requestError('s__t', new Error('x'), 500, link(true, 'the server exited (code 1)'))).toMatchObject(
      {
        code: 'unavailable',
        message: 's__t: the server exited (code 1)',
      },
    );
  });
});

describe('limitedFetch', () => {
  it('ends a body that goes past the cap with an error', async () => {
    const big = async () =>
      new Response('x'.repeat(1000), { status: 200, headers: { 'content-type': 'text/plain' } });
    const small = limitedFetch(100, big);
    const res = await small('http://h/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    await expect(res.text()).rejects.toThrow('the server sent a response longer than 100 bytes');
    expect(await (await limitedFetch(1000, big)('http://h/')).text()).toHaveLength(1000);
  });
});

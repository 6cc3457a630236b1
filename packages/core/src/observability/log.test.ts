/**
 * The log: JSON lines, levels, the request id of a turn, redaction of keys, tokens and
 * Authorization, the rotating file and the pretty lines.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, registerSecret } from '../secrets.js';
import { UsageError } from '../errors.js';
import { RotatingFile } from './log-file.js';
import { prettyLine } from './log-pretty.js';
import { createLog, logLevelFrom, type LogLevel } from './log.js';

function memoryLog(level: LogLevel = 'debug') {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const log = createLog({
    level,
    destination: {
      write(chunk: string) {
        raw.push(chunk);
        for (const l of chunk.split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      },
    },
  });
  return { log, lines, raw };
}

afterEach(() => clearSecrets());

describe('the log', () => {
  it('writes one JSON object a line, with level, time, pid and message', () => {
    const { log, lines } = memoryLog('info');
    log.debug('not written');
    log.info({ model: 'canned:lorem', ttftMs: 4 }, 'turn done');
    log.warn('careful');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 30,
      pid: process.pid,
      model: 'canned:lorem',
      ttftMs: 4,
      msg: 'turn done',
    });
    expect(typeof lines[0]?.time).toBe('number');
    expect(lines[1]).toMatchObject({ level: 40, msg: 'careful' });
    expect(log.enabled('debug')).toBe(false);
    expect(log.enabled('error')).toBe(true);
  });

  it('ties every line of one turn with its request id', () => {
    const { log, lines } = memoryLog();
    const turn = log.child({ req: 'r1' });
    const other = log.child({ req: 'r2' });
    turn.debug('turn start');
    other.debug('turn start');
    turn.child({ step: 'retry' }).warn('retrying');
    turn.info('turn done');
    expect(lines.filter((l) => l.req === 'r1').map((l) => l.msg)).toEqual([
      'turn start',
      'retrying',
      'turn done',
    ]);
    expect(lines.filter((l) => l.req === 'r2')).toHaveLength(1);
  });

  it('redacts keys, tokens and Authorization in fields, nested objects, messages and errors', () => {
    registerSecret('registered-secret-value-123');
    const { log, raw } = memoryLog();
    log.info(
      {
        apiKey: 'sk-live-abcdefghijklmnop',
        token: 'tok_1234567890',
        config: { api_key: 'AIzaSyA1234567890abcdef', base_url: 'http://x' },
        headers: { authorization: 'Bearer abc.def.ghi', 'x-api-key': 'key-1234567890' },
        note: 'called with Authorization: Bearer sekrit-bearer-token and ?token=querytoken1',
        other: 'the registered-secret-value-123 leaked',
        err: new Error('401 from https://api.example.com with key sk-ant-abcdefghijklmnopq'),
      },
      'request failed for sk-proj-abcdefghijklmnop',
    );
    log.child({ authorization: 'Basic dXNlcjpwYXNz' }).warn('child with a secret binding');
    const text = raw.join('');
    for (const secret of [
      'sk-live-abcdefghijklmnop',
      'tok_1234567890',
      'AIzaSyA1234567890abcdef',
      'abc.def.ghi',
      'key-1234567890',
      'sekrit-bearer-token',
      'querytoken1',
      'registered-secret-value-123',
      'sk-ant-abcdefghijklmnopq',
      'sk-proj-abcdefghijklmnop',
      'dXNlcjpwYXNz',
    ]) {
      expect(text, secret).not.toContain(secret);
    }
    expect(text).toContain('[REDACTED]');
    expect(text).toContain('http://x'); // what is not a secret stays
  });

  it('reads PARLEY_LOG_LEVEL and refuses an unknown level', () => {
    expect(logLevelFrom({}, 'warn')).toBe('warn');
    expect(logLevelFrom({ PARLEY_LOG_LEVEL: 'DEBUG' }, 'warn')).toBe('debug');
    expect(() => logLevelFrom({ PARLEY_LOG_LEVEL: 'loud' }, 'warn')).toThrow(UsageError);
  });

  it('silent writes nothing and never loads a destination', () => {
    let writes = 0;
    const log = createLog({ level: 'silent', destination: { write: () => void writes++ } });
    log.fatal('nothing');
    expect(writes).toBe(0);
  });

  it('writes a file in the state directory, and pretty lines alongside when asked', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-log-'));
    try {
      const pretty: string[] = [];
      const file = path.join(dir, 'state', 'parley.log');
      const log = createLog({
        level: 'info',
        file,
        pretty: { write: (s: string) => void pretty.push(s) },
        color: false,
      });
      log.child({ req: 'abc' }).info({ model: 'm', ttftMs: 12 }, 'turn done');
      log.close();
      const line = JSON.parse(readFileSync(file, 'utf8').trim()) as Record<string, unknown>;
      expect(line).toMatchObject({ req: 'abc', msg: 'turn done' });
      expect(pretty.join('')).toMatch(
        /^\d\d:\d\d:\d\d\.\d{3} INFO {2}turn done {2}model=m ttftMs=12 req=abc\n$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('RotatingFile', () => {
  it('rotates by size and keeps the configured number of old files', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-rotate-'));
    try {
      const file = path.join(dir, 'parley.log');
      const f = new RotatingFile(file, { maxBytes: 1024, files: 2 });
      const line = `${'x'.repeat(99)}\n`; // 100 bytes
      for (let i = 0; i < 45; i++) f.write(line);
      f.close();
      expect(readdirSync(dir).sort()).toEqual(['parley.log', 'parley.log.1', 'parley.log.2']);
      for (const name of ['parley.log.1', 'parley.log.2']) {
        expect(readFileSync(path.join(dir, name), 'utf8').length).toBe(1000); // 10 whole lines, under 1 KiB
      }
      expect(readFileSync(file, 'utf8').length).toBe(500);
      // Reopening goes on appending to the current file.
      const again = new RotatingFile(file, { maxBytes: 1024, files: 2 });
      again.write(line);
      again.close();
      expect(readFileSync(file, 'utf8').length).toBe(600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('turns itself off when the disk fails, without throwing', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-rotate-'));
    try {
      const notADir = path.join(dir, 'file');
      writeFileSync(notADir, '');
      const f = new RotatingFile(path.join(notADir, 'parley.log'));
      expect(f.write('line\n')).toBe(false);
      expect(f.write('line\n')).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('prettyLine', () => {
  it('formats a pino line for a terminal, and passes anything else through', () => {
    const l = JSON.stringify({
      level: 50,
      time: Date.UTC(2026, 0, 1, 12, 3, 4, 5),
      pid: 1,
      msg: 'turn error',
      code: 'auth',
    });
    expect(prettyLine(l, false)).toBe('12:03:04.005 ERROR turn error  code=auth\n');
    expect(prettyLine('plain', false)).toBe('plain\n');
  });
});

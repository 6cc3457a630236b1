import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cleanEnv, PARLEY_BIN, runParley, tempHome } from './helpers/cli.js';
import { STORIES } from './helpers/models.js';
import { openAITextReply, startWireServer } from './helpers/wire-server.js';

// Runs parley on a real pseudo-terminal through util-linux `script`, to see what a user at
// a terminal sees: colour on stderr unless NO_COLOR is set, and never colour on stdout.
function onTty(args: string, env: Record<string, string> = {}): string {
  const home = tempHome();
  try {
    const r = spawnSync('script', ['-qec', `"${process.execPath}" "${PARLEY_BIN}" ${args}`, '/dev/null'], {
      env: cleanEnv({ PARLEY_HOME: home.home, ...env }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    return r.stdout;
  } finally {
    home.cleanup();
  }
}

describe('on a terminal', () => {
  it('colours errors on stderr, and honours NO_COLOR', () => {
    expect(onTty("''")).toContain('\u001b[31mparley: error:');
    const plain = onTty("''", { NO_COLOR: '1' });
    expect(plain).toContain('parley: error: the prompt is empty');
    expect(plain).not.toContain('\u001b[');
  });

  it('never colours the answer', () => {
    const out = onTty(`-m ${STORIES} --threads 1 --max-tokens 20 'Once upon a time'`, {
      PARLEY_GPU: 'false',
    });
    expect(out.trim().length).toBeGreaterThan(10);
    expect(out).not.toContain('\u001b[');
  });

  // A model's answer, or a page it quotes, can carry terminal escapes: OSC 52 writes the
  // clipboard, CSI 2J clears the screen, a C1 CSI does the same in one byte. The model here is
  // a local server speaking the OpenAI stream format (a cloud model cannot run here; the
  // local ones do not write escapes on request).
  it('shows an answer without its terminal escapes, and keeps them when piped', async () => {
    const wire = await startWireServer();
    const hostile = 'safe\u001b]52;c;cm0gLXJmIH4=\u0007 text\u001b[2J here\u009b2J end\r\n';
    // In two chunks, the first ending inside the OSC 52 sequence.
    const reply = () => openAITextReply(hostile.slice(0, 9), hostile.slice(9));
    try {
      wire.reply(reply(), reply());
      const args = `-m openai-compatible:m --base-url ${wire.url}/v1 --api-key sk-tty-0000 --no-log go`;
      const shown = await new Promise<string>((resolve) => {
        const home = tempHome();
        const p = spawn('script', ['-qec', `"${process.execPath}" "${PARLEY_BIN}" ${args}`, '/dev/null'], {
          env: cleanEnv({ PARLEY_HOME: home.home, NO_COLOR: '1' }),
        });
        let out = '';
        p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
        p.on('close', () => {
          home.cleanup();
          resolve(out);
        });
      });
      expect(shown).toContain('safe');
      expect(shown).toContain(' end');
      for (const c of ['\u001b', '\u0007', '\u009b']) expect(shown).not.toContain(c);
      const piped = await runParley(args.split(' '), { env: { NO_COLOR: '1' } });
      expect(piped.code).toBe(0);
      // Piped, the bytes are the model's, escapes and all: the reader asked for them.
      expect(piped.stdout).toBe(hostile);
    } finally {
      await wire.close();
    }
  }, 60_000);
});

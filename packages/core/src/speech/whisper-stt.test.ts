/**
 * The local Whisper engine's loading path. No Whisper weights exist on the test machines, so
 * what is tested is everything up to the model: finding the folder, the clear error when it
 * is empty, loading the real `@huggingface/transformers`, its error on a broken model, and
 * the error when the optional package is missing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSpeechEngines } from './engines.js';
import { SpeechError } from './speech-error.js';
import { DEFAULT_WHISPER_FOLDER, WhisperSpeechToText, whisperFolder } from './whisper-stt.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-whisper-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeFolder(name: string): string {
  const folder = path.join(dir, name);
  mkdirSync(path.join(folder, 'onnx'), { recursive: true });
  writeFileSync(
    path.join(folder, 'config.json'),
    JSON.stringify({ model_type: 'whisper', architectures: ['WhisperForConditionalGeneration'] }),
  );
  writeFileSync(
    path.join(folder, 'preprocessor_config.json'),
    JSON.stringify({ feature_extractor_type: 'WhisperFeatureExtractor' }),
  );
  writeFileSync(path.join(folder, 'tokenizer.json'), '{}');
  writeFileSync(path.join(folder, 'onnx', 'encoder_model.onnx'), 'not an onnx file');
  return folder;
}

describe('WhisperSpeechToText', () => {
  it('looks for a bare name in the models directory, and takes paths as they are', () => {
    expect(whisperFolder({ modelsDir: '/m' })).toBe(path.join('/m', DEFAULT_WHISPER_FOLDER));
    expect(whisperFolder({ model: 'whisper-small', modelsDir: '/m' })).toBe('/m/whisper-small');
    expect(whisperFolder({ model: '/opt/w', modelsDir: '/m' })).toBe('/opt/w');
    expect(whisperFolder({ model: './w', modelsDir: '/m' })).toBe(path.resolve('w'));
  });

  it('without a model, names the folder and how to get one', async () => {
    const err = await WhisperSpeechToText.create({ modelsDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeechError);
    expect((err as SpeechError).code).toBe('engine_missing');
    const msg = (err as Error).message;
    expect(msg).toContain(`no Whisper model in ${path.join(dir, DEFAULT_WHISPER_FOLDER)}`);
    expect(msg).toContain('config.json is missing');
    expect(msg).toContain('onnx-community/whisper-base');
    expect(msg).toContain('voice.stt_model');
  });

  it('the [voice] config reaches it: stt = whisper with stt_model', async () => {
    const folder = path.join(dir, 'nothing-here');
    await expect(createSpeechEngines({ voice: { stt: 'whisper', stt_model: folder } })).rejects.toThrow(
      `no Whisper model in ${folder}`,
    );
  });

  it('loads transformers.js and reports a broken model folder clearly', async () => {
    const folder = fakeFolder('broken-whisper');
    const err = await WhisperSpeechToText.create({ model: folder }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeechError);
    expect((err as SpeechError).code).toBe('engine_failed');
    expect((err as Error).message).toContain(`could not load the Whisper model in ${folder}`);
  });

  it('says which package to install when transformers.js is missing', async () => {
    const err = await WhisperSpeechToText.create({
      model: fakeFolder('ok-folder'),
      // @ts-expect-error: a package that does not exist, to exercise the missing-package error
      load: () => import('@parley/no-such-transformers-package'),
    }).catch((e: unknown) => e);
    expect((err as SpeechError).code).toBe('engine_missing');
    expect((err as Error).message).toMatch(/needs the optional package @huggingface\/transformers/);
  });
});

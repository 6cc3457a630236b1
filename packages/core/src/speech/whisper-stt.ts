/**
 * Local Whisper through transformers.js (`@huggingface/transformers`, an optional dependency
 * imported only when `voice.stt = "whisper"`), on an ONNX Whisper model in a local folder.
 * Nothing is downloaded: the folder must hold the model (docs/VOICE.md says how to get one).
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { parleyPaths } from '../config/paths.js';
import { abortReason } from '../util/abort.js';
import { loadOptional } from './optional-module.js';
import { SpeechError } from './speech-error.js';
import { INPUT_AUDIO_FORMAT, type SpeechToText, type Transcript } from './types.js';

/** The folder name under the models directory used when `voice.stt_model` is not set. */
export const DEFAULT_WHISPER_FOLDER = 'whisper-base';
/** Files a transformers.js Whisper folder holds (the ONNX files sit in `onnx/`). */
const REQUIRED_FILES = ['config.json', 'preprocessor_config.json', 'tokenizer.json'];

type TransformersModule = typeof import('@huggingface/transformers');
type AsrPipeline = (audio: Float32Array, options: object) => Promise<{ text: string } | { text: string }[]>;

export interface WhisperOptions {
  /** A folder path, or a folder name in parley's models directory (default `whisper-base`). */
  model?: string;
  /** ISO-639-1 code of the spoken language (default: Whisper detects it). */
  language?: string;
  /** The models directory (default: parley's). */
  modelsDir?: string;
  /** How the package is loaded (tests). */
  load?: () => Promise<TransformersModule>;
}

/** Where the model folder is: an absolute or relative path, or a name in the models dir. */
export function whisperFolder(opts: Pick<WhisperOptions, 'model' | 'modelsDir'>): string {
  const model = opts.model ?? DEFAULT_WHISPER_FOLDER;
  if (path.isAbsolute(model) || model.startsWith('.') || model.includes('/')) return path.resolve(model);
  return path.join(opts.modelsDir ?? parleyPaths().models, model);
}

function howToGet(folder: string): string {
  return (
    `put an ONNX Whisper model there, e.g. the files of the Hugging Face repository onnx-community/whisper-base ` +
    `(git clone https://huggingface.co/onnx-community/whisper-base "${folder}"), ` +
    `or set voice.stt_model to a folder that holds one`
  );
}

export class WhisperSpeechToText implements SpeechToText {
  readonly name: string;
  private constructor(
    private readonly asr: AsrPipeline,
    private readonly language: string | undefined,
    folder: string,
    private readonly release: () => Promise<void>,
  ) {
    this.name = `whisper:${path.basename(folder)}`;
  }

  /** Check the folder, load the package, then the model (seconds, once). */
  static async create(opts: WhisperOptions = {}): Promise<WhisperSpeechToText> {
    const folder = whisperFolder(opts);
    for (const file of REQUIRED_FILES) {
      try {
        await access(path.join(folder, file));
      } catch {
        throw new SpeechError(
          'engine_missing',
          `no Whisper model in ${folder} (${file} is missing): ${howToGet(folder)}`,
        );
      }
    }
    const mod = await loadOptional(
      opts.load ?? (() => import('@huggingface/transformers')),
      '@huggingface/transformers',
      'voice.stt = "whisper"',
    );
    mod.env.allowRemoteModels = false;
    mod.env.localModelPath = `${path.dirname(folder)}${path.sep}`;
    let asr;
    try {
      asr = await mod.pipeline('automatic-speech-recognition', path.basename(folder), {
        local_files_only: true,
        device: 'cpu',
      });
    } catch (e) {
      throw new SpeechError(
        'engine_failed',
        `could not load the Whisper model in ${folder}: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
    const run = asr as unknown as AsrPipeline;
    return new WhisperSpeechToText(run, opts.language, folder, () => asr.dispose());
  }

  async transcribe(audio: Int16Array, signal?: AbortSignal): Promise<Transcript> {
    const t0 = performance.now();
    if (signal?.aborted) throw abortReason(signal);
    if (audio.length < INPUT_AUDIO_FORMAT.sampleRate / 100)
      return { text: '', ms: performance.now() - t0, engine: this.name };
    const samples = Float32Array.from(audio, (s) => s / 32768);
    const out = await this.asr(samples, {
      task: 'transcribe',
      chunk_length_s: 30,
      ...(this.language === undefined ? {} : { language: this.language }),
    });
    // transformers.js cannot be stopped mid-run; an abort during it is honoured at the end.
    if (signal?.aborted) throw abortReason(signal);
    const text = (Array.isArray(out) ? out.map((o) => o.text).join(' ') : out.text).trim();
    return { text, ms: performance.now() - t0, engine: this.name };
  }

  async dispose(): Promise<void> {
    await this.release();
  }
}

/**
 * What kind of document a file is: by its name first (extension, or a well-known name such
 * as `Makefile`), then by its bytes (a binary is never read as text).
 */
import path from 'node:path';
import type { DocumentKind } from './types.js';

/** A file's kind, and for source code its language. */
export interface DetectedKind {
  kind: DocumentKind;
  language?: string | undefined;
}

const PLAIN: Record<string, DocumentKind> = {
  '.txt': 'text',
  '.text': 'text',
  '.log': 'text',
  '.rst': 'text',
  '.adoc': 'text',
  '.org': 'text',
  '.tex': 'text',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.mdx': 'markdown',
  '.json': 'json',
  '.jsonl': 'json',
  '.ndjson': 'json',
  '.geojson': 'json',
  '.csv': 'csv',
  '.tsv': 'csv',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.pdf': 'pdf',
};

/** Source code and configuration files: extension → language named to the model. */
const CODE: Record<string, string> = {
  '.ts': 'typescript',
  '.tsx': 'tsx',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.js': 'javascript',
  '.jsx': 'jsx',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.py': 'python',
  '.pyi': 'python',
  '.rb': 'ruby',
  '.go': 'go',
  '.rs': 'rust',
  '.java': 'java',
  '.kt': 'kotlin',
  '.kts': 'kotlin',
  '.scala': 'scala',
  '.swift': 'swift',
  '.c': 'c',
  '.h': 'c',
  '.cc': 'cpp',
  '.cpp': 'cpp',
  '.cxx': 'cpp',
  '.hpp': 'cpp',
  '.hh': 'cpp',
  '.cs': 'csharp',
  '.fs': 'fsharp',
  '.php': 'php',
  '.pl': 'perl',
  '.lua': 'lua',
  '.r': 'r',
  '.jl': 'julia',
  '.dart': 'dart',
  '.ex': 'elixir',
  '.exs': 'elixir',
  '.erl': 'erlang',
  '.hs': 'haskell',
  '.ml': 'ocaml',
  '.clj': 'clojure',
  '.zig': 'zig',
  '.nim': 'nim',
  '.sh': 'bash',
  '.bash': 'bash',
  '.zsh': 'zsh',
  '.fish': 'fish',
  '.ps1': 'powershell',
  '.bat': 'batch',
  '.sql': 'sql',
  '.css': 'css',
  '.scss': 'scss',
  '.less': 'less',
  '.vue': 'vue',
  '.svelte': 'svelte',
  '.xml': 'xml',
  '.svg': 'xml',
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.toml': 'toml',
  '.ini': 'ini',
  '.cfg': 'ini',
  '.conf': 'ini',
  '.properties': 'properties',
  '.gradle': 'groovy',
  '.groovy': 'groovy',
  '.tf': 'hcl',
  '.proto': 'protobuf',
  '.graphql': 'graphql',
  '.gql': 'graphql',
  '.diff': 'diff',
  '.patch': 'diff',
};

/** Files known by their whole name. */
const NAMED: Record<string, DetectedKind> = {
  makefile: { kind: 'code', language: 'makefile' },
  gnumakefile: { kind: 'code', language: 'makefile' },
  dockerfile: { kind: 'code', language: 'dockerfile' },
  containerfile: { kind: 'code', language: 'dockerfile' },
  jenkinsfile: { kind: 'code', language: 'groovy' },
  gemfile: { kind: 'code', language: 'ruby' },
  rakefile: { kind: 'code', language: 'ruby' },
  '.gitignore': { kind: 'text' },
  '.dockerignore': { kind: 'text' },
  '.editorconfig': { kind: 'code', language: 'ini' },
  readme: { kind: 'text' },
  license: { kind: 'text' },
  licence: { kind: 'text' },
  copying: { kind: 'text' },
  authors: { kind: 'text' },
  changelog: { kind: 'text' },
  notice: { kind: 'text' },
};

/**
 * Formats that are documents but that parley does not read, with what to do instead: the
 * refusal names them rather than calling them "binary".
 */
export const UNSUPPORTED_FORMATS: Record<string, string> = {
  '.doc': 'a Word document',
  '.docx': 'a Word document',
  '.odt': 'an OpenDocument text',
  '.rtf': 'a rich-text document',
  '.pages': 'a Pages document',
  '.xls': 'an Excel spreadsheet',
  '.xlsx': 'an Excel spreadsheet',
  '.ods': 'an OpenDocument spreadsheet',
  '.numbers': 'a Numbers spreadsheet',
  '.ppt': 'a PowerPoint presentation',
  '.pptx': 'a PowerPoint presentation',
  '.odp': 'an OpenDocument presentation',
  '.key': 'a Keynote presentation',
  '.epub': 'an e-book',
  '.png': 'an image',
  '.jpg': 'an image',
  '.jpeg': 'an image',
  '.gif': 'an image',
  '.webp': 'an image',
  '.zip': 'an archive',
  '.gz': 'an archive',
  '.tgz': 'an archive',
  '.tar': 'an archive',
  '.7z': 'an archive',
};

/**
 * The kind of a file from its name, or undefined when the name says nothing parley reads
 * (an unknown extension, an image, an archive). `extractFile` still reads an unknown name
 * as plain text when its bytes are text.
 */
export function detectKind(file: string): DetectedKind | undefined {
  const base = path.basename(file).toLowerCase();
  const named = NAMED[base];
  if (named) return { ...named };
  const ext = path.extname(base);
  if (ext === '') return undefined;
  const plain = PLAIN[ext];
  if (plain) return { kind: plain };
  const language = CODE[ext];
  if (language) return { kind: 'code', language };
  return undefined;
}

/** How a buffer of bytes decodes, or why it is not text. */
export type TextDecoding = { ok: true; text: string } | { ok: false; reason: string };

/** Bytes looked at to call a file binary (the whole file is decoded all the same). */
const SNIFF_BYTES = 8192;

/**
 * Decode bytes as text: UTF-8 (a BOM is dropped) or UTF-16 with a BOM. A NUL byte in the
 * first 8 KiB, invalid UTF-8, or many control characters make it binary.
 */
export function decodeText(bytes: Uint8Array): TextDecoding {
  if (
    bytes.length >= 2 &&
    ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
  ) {
    const le = bytes[0] === 0xff;
    try {
      const text = new TextDecoder(le ? 'utf-16le' : 'utf-16be', { fatal: true }).decode(bytes.subarray(2));
      return { ok: true, text };
    } catch {
      return { ok: false, reason: 'it is not valid UTF-16 text' };
    }
  }
  const head = bytes.subarray(0, SNIFF_BYTES);
  if (head.includes(0)) return { ok: false, reason: 'it is a binary file (it contains NUL bytes)' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { ok: false, reason: 'it is a binary file (it is not valid UTF-8 text)' };
  }
  let control = 0;
  const sample = text.slice(0, SNIFF_BYTES);
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 127) control++;
  }
  if (control > Math.max(8, sample.length * 0.01)) {
    return { ok: false, reason: 'it is a binary file (it is full of control characters)' };
  }
  return { ok: true, text };
}

/** True when the bytes start like a PDF (`%PDF-`). */
export function looksLikePdf(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 5 &&
    bytes[0] === 0x25 &&
    bytes[1] === 0x50 &&
    bytes[2] === 0x44 &&
    bytes[3] === 0x46 &&
    bytes[4] === 0x2d
  );
}

/**
 * Files attached to a WebSocket `text` turn: decoded from base64 and read into text, within
 * `[attachments]`. Any file that cannot go fails the whole frame with an `error` naming it
 * (nothing of the turn starts), and the connection lives on.
 */
import {
  DocumentRefusedError,
  attachmentSettings,
  checkAttachmentLimits,
  extractBytes,
  formatBytes,
  type ExtractedDocument,
  type ParleyConfig,
} from '@parley/core';
import { ProtocolError, type TextMessage } from './ws-protocol.js';

type WsAttachment = NonNullable<TextMessage['attachments']>[number];

/** The protocol code a refused file is reported with. */
function codeFor(e: DocumentRefusedError): 'too_large' | 'unsupported' {
  return e.code === 'too_large' ? 'too_large' : 'unsupported';
}

/** Read a frame's attachments into documents, in order. @throws ProtocolError */
export async function readWsAttachments(
  items: readonly WsAttachment[],
  config: ParleyConfig,
  signal?: AbortSignal,
): Promise<ExtractedDocument[]> {
  const settings = attachmentSettings(config);
  if (items.length > settings.maxFiles) {
    throw new ProtocolError(
      'too_large',
      `attachments: ${items.length} files; at most ${settings.maxFiles} go with one turn (attachments.max_files)`,
    );
  }
  const docs: ExtractedDocument[] = [];
  for (const [i, item] of items.entries()) {
    // Checked before decoding: base64 is 4 characters for every 3 bytes.
    const estimate = Math.floor((item.data.length * 3) / 4);
    if (estimate - 2 > settings.maxFileBytes) {
      throw new ProtocolError(
        'too_large',
        `attachments[${i}]: ${item.name}: it is ${formatBytes(estimate)}, over the limit of ${formatBytes(settings.maxFileBytes)}`,
      );
    }
    const bytes = Buffer.from(item.data, 'base64');
    try {
      docs.push(
        await extractBytes(bytes, { maxBytes: settings.maxFileBytes, displayPath: item.name, signal }),
      );
      checkAttachmentLimits(docs, settings);
    } catch (e) {
      if (DocumentRefusedError.isRefusal(e))
        throw new ProtocolError(codeFor(e), `attachments[${i}]: ${e.message}`);
      throw e;
    }
  }
  return docs;
}

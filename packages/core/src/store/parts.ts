/** Converting message parts to the stored (JSON) form and back. */
import type { ChatMessage, MessagePart } from '../chat-model.js';
import type { AttachmentInfo } from '../documents/attach.js';
import type { MessageRecord, StoredPart } from './types.js';

/** Message parts as stored: image bytes become base64. */
export function toStoredParts(parts: readonly MessagePart[]): StoredPart[] {
  return parts.map((p) =>
    p.type === 'text'
      ? p.attachment
        ? { type: 'text', text: p.text, attachment: p.attachment }
        : { type: 'text', text: p.text }
      : { type: 'image', mediaType: p.mediaType, data: Buffer.from(p.data).toString('base64') },
  );
}

/** The parts a model can be sent again: text and images (reasoning and tool parts left out). */
export function toMessageParts(parts: readonly StoredPart[]): MessagePart[] {
  const out: MessagePart[] = [];
  for (const p of parts) {
    if (p.type === 'text') {
      out.push(
        p.attachment
          ? { type: 'text', text: p.text, attachment: p.attachment }
          : { type: 'text', text: p.text },
      );
    } else if (p.type === 'image') {
      out.push({
        type: 'image',
        mediaType: p.mediaType,
        data: new Uint8Array(Buffer.from(p.data, 'base64')),
      });
    }
  }
  return out;
}

/** The text the user typed: attached files left out (titles, lists, the history a front end shows). */
export function typedText(parts: readonly { type: string; text?: string; attachment?: unknown }[]): string {
  return parts
    .filter((p) => p.type === 'text' && p.attachment === undefined)
    .map((p) => p.text ?? '')
    .join('');
}

/** The attachments a message carried. */
export function partsAttachments(
  parts: readonly { type: string; attachment?: AttachmentInfo }[],
): AttachmentInfo[] {
  return parts.flatMap((p) => (p.type === 'text' && p.attachment ? [p.attachment] : []));
}

/** The plain text of stored parts (what search indexes). */
export function partsText(parts: readonly StoredPart[]): string {
  return parts
    .filter((p): p is Extract<StoredPart, { type: 'text' }> => p.type === 'text')
    .map((p) => p.text)
    .join('');
}

/**
 * The history to send a model when a stored conversation goes on: user and assistant
 * messages that have text or images, in order. A failed reply with no text is left out; a
 * partial one is kept, since the user saw it.
 */
export function toChatHistory(messages: readonly MessageRecord[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    const content = toMessageParts(m.parts);
    if (content.length === 0 || content.every((p) => p.type === 'text' && p.text === '')) continue;
    out.push({ role: m.role, content });
  }
  return out;
}

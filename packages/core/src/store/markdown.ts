/** A conversation as Markdown, for reading and sharing (`history export ID --format md`). */
import type { ConversationExport } from './conversation-export.js';
import type { StoredPart } from './types.js';

const ROLE_TITLES = { user: 'User', assistant: 'Assistant', system: 'System' } as const;

/** A fence longer than any run of backticks in `text`, so the text cannot close it. */
function fence(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  return '`'.repeat(longest + 1);
}

function block(label: string, text: string): string {
  const f = fence(text);
  return `${f}${label}\n${text}\n${f}`;
}

function partMarkdown(p: StoredPart): string {
  switch (p.type) {
    case 'text':
      return p.text;
    case 'reasoning':
      return `<details><summary>reasoning</summary>\n\n${block('text', p.text)}\n\n</details>`;
    case 'image':
      return `*[image: ${p.mediaType}, ${Buffer.from(p.data, 'base64').length} bytes]*`;
    case 'tool-call':
      return `**tool call** \`${p.name}\`\n\n${block('json', JSON.stringify(p.args, null, 2) ?? 'null')}`;
    case 'tool-result':
      return `**tool result** \`${p.name}\`${p.isError ? ' (error)' : ''}\n\n${block('json', JSON.stringify(p.result, null, 2) ?? 'null')}`;
  }
}

/** Markdown of an exported conversation: a title, the system prompt, then each message. */
export function conversationToMarkdown(doc: ConversationExport): string {
  const c = doc.conversation;
  const out: string[] = [`# ${(c.title ?? 'Conversation').replace(/\s+/g, ' ').trim() || 'Conversation'}`];
  const facts = [`id \`${c.id}\``, c.createdAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')];
  if (c.model) facts.push(`model \`${c.model}\``);
  out.push(facts.join(' · '));
  if (c.system) out.push(`**System:**\n\n${c.system}`);
  for (const m of doc.messages) {
    const notes: string[] = [];
    if (m.model) notes.push(m.model);
    if (m.status !== 'complete') notes.push(m.status === 'partial' ? 'interrupted' : 'error');
    out.push(`## ${ROLE_TITLES[m.role]}${notes.length ? ` (${notes.join(', ')})` : ''}`);
    const body = m.parts.map(partMarkdown).filter((s) => s !== '');
    if (m.error) body.push(`> **error** (${m.error.code}): ${m.error.message}`);
    out.push(body.length ? body.join('\n\n') : '*(no text)*');
  }
  return `${out.join('\n\n')}\n`;
}

/**
 * The saved conversations (`GET /api/conversations`, docs/server.md) as a list of buttons;
 * choosing one opens it in this tab (`hello` with its id, docs/PROTOCOL.md).
 */

/** When a conversation was last updated, short. */
function when(ms) {
  const d = new Date(ms);
  return d.toDateString() === new Date().toDateString()
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString();
}

export class HistoryList {
  /**
   * @param {HTMLUListElement} list
   * @param {HTMLElement} note where "no conversations" and errors are said
   * @param {{ token?: string, onOpen: (id: string) => void }} opts
   */
  constructor(list, note, opts) {
    this.list = list;
    this.note = note;
    this.opts = opts;
  }

  async refresh() {
    try {
      const headers = this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {};
      const res = await fetch('/api/conversations?limit=50', { headers });
      if (!res.ok) throw new Error(`GET /api/conversations: ${res.status}`);
      const { data } = await res.json();
      this.render(data);
    } catch (e) {
      this.note.textContent = e instanceof Error ? e.message : 'could not list the conversations';
    }
  }

  render(conversations) {
    this.note.textContent = conversations.length === 0 ? 'No saved conversations yet.' : '';
    this.list.replaceChildren(
      ...conversations.map((c) => {
        const li = document.createElement('li');
        const b = document.createElement('button');
        b.type = 'button';
        b.dataset.id = c.id;
        const title = document.createElement('span');
        title.className = 'title';
        title.textContent = c.title ?? 'Untitled';
        const meta = document.createElement('span');
        meta.className = 'muted';
        meta.textContent = ` · ${when(c.updatedAt)} · ${c.messageCount} messages`;
        b.append(title, meta);
        if (document.body.dataset.session === c.id) b.setAttribute('aria-current', 'true');
        b.addEventListener('click', () => this.opts.onOpen(c.id));
        li.append(b);
        return li;
      }),
    );
  }
}

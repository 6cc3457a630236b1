/**
 * OpenAI's `stop`: the answer ends before the first stop string. Streamed text that could be
 * the start of a stop string is held back until it is known not to be one.
 */
export class StopSequences {
  private held = '';
  private hit = false;

  constructor(private readonly stops: readonly string[]) {}

  /** True once a stop string has appeared; nothing more is emitted. */
  get stopped(): boolean {
    return this.hit;
  }

  /** Feed a text delta; returns the text that can be sent now. */
  push(text: string): string {
    if (this.hit) return '';
    if (this.stops.length === 0) return text;
    const buf = this.held + text;
    let cut = -1;
    for (const s of this.stops) {
      const i = buf.indexOf(s);
      if (i >= 0 && (cut < 0 || i < cut)) cut = i;
    }
    if (cut >= 0) {
      this.hit = true;
      this.held = '';
      return buf.slice(0, cut);
    }
    let keep = 0;
    for (const s of this.stops) {
      for (let k = Math.min(s.length - 1, buf.length); k > keep; k--) {
        if (buf.endsWith(s.slice(0, k))) {
          keep = k;
          break;
        }
      }
    }
    this.held = buf.slice(buf.length - keep);
    return buf.slice(0, buf.length - keep);
  }

  /** The text held back, released when the answer ends without a stop string. */
  flush(): string {
    const h = this.held;
    this.held = '';
    return h;
  }
}

/** The `stop` field as a list. */
export function stopList(stop: string | string[] | null | undefined): string[] {
  if (stop == null) return [];
  return (Array.isArray(stop) ? stop : [stop]).filter((s) => s.length > 0);
}

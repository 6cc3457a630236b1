/**
 * A real HTTP file server on 127.0.0.1 for download tests. It serves:
 * - `/files/<name>`: plain files, with `Range` support;
 * - `/api/models/<org>/<repo>`: a Hugging Face-like listing (`siblings: [{ rfilename }]`);
 * - `/<org>/<repo>/resolve/main/<file>`: a 302 carrying `x-linked-etag` (the sha256), like
 *   the Hub, to `/cdn/<org>/<repo>/<file>?sig=...`, which serves the bytes.
 * Every request is recorded. `behaviour` can be changed between requests.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FileServerBehaviour {
  /** Answer every request with the whole file (200), ignoring `Range`. */
  ignoreRange: boolean;
  /** Send this many body bytes, then stall until the client goes away. */
  stallAfter: number | undefined;
  /** Override the `x-linked-etag` sha256 sent by `/resolve/` redirects. */
  linkedEtag: string | undefined;
  /** An `etag` header for `/files/` responses. */
  fileEtag: string | undefined;
}

export interface RecordedRequest {
  method: string;
  path: string;
  range: string | undefined;
}

export interface FileServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  behaviour: FileServerBehaviour;
  close(): Promise<void>;
}

export interface FileServerOptions {
  /** Served at `/files/<name>`. */
  files?: Record<string, Buffer>;
  /** `org/repo` → path in repo → bytes. */
  repos?: Record<string, Record<string, Buffer>>;
}

/** The lowercase hex sha256 of `buf`. */
export function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** Start a server; close it in `afterEach`/`afterAll`. */
export async function startFileServer(options: FileServerOptions = {}): Promise<FileServer> {
  const requests: RecordedRequest[] = [];
  const behaviour: FileServerBehaviour = {
    ignoreRange: false,
    stallAfter: undefined,
    linkedEtag: undefined,
    fileEtag: undefined,
  };
  const files = options.files ?? {};
  const repos = options.repos ?? {};

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const p = decodeURIComponent(url.pathname);
    requests.push({ method: req.method ?? 'GET', path: p, range: req.headers.range });

    const api = /^\/api\/models\/([^/]+\/[^/]+)$/.exec(p);
    if (api?.[1] !== undefined) {
      const repo = repos[api[1]];
      if (!repo) return notFound(res);
      const body = JSON.stringify({
        id: api[1],
        siblings: Object.keys(repo).map((rfilename) => ({ rfilename })),
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(body);
    }
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(p);
    if (resolve?.[1] !== undefined && resolve[2] !== undefined) {
      const body = repos[resolve[1]]?.[resolve[2]];
      if (!body) return notFound(res);
      res.writeHead(302, {
        location: `/cdn/${resolve[1]}/${encodeURI(resolve[2])}?sig=secret-signature`,
        'x-linked-etag': `"${behaviour.linkedEtag ?? sha256(body)}"`,
        'x-linked-size': String(body.length),
      });
      return res.end();
    }
    const cdn = /^\/cdn\/([^/]+\/[^/]+)\/(.+)$/.exec(p);
    if (cdn?.[1] !== undefined && cdn[2] !== undefined) {
      const body = repos[cdn[1]]?.[cdn[2]];
      // A CDN-style etag that is not a sha256: the client must use the redirect's header.
      return body ? serve(req, res, body, '"cdn-0123"') : notFound(res);
    }
    const file = /^\/files\/(.+)$/.exec(p)?.[1];
    const body = file === undefined ? undefined : files[file];
    return body ? serve(req, res, body, behaviour.fileEtag) : notFound(res);
  });

  function notFound(res: http.ServerResponse): void {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }

  function serve(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, etag?: string): void {
    const headers: http.OutgoingHttpHeaders = {
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
    };
    if (etag !== undefined) headers.etag = etag;
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m?.[1] !== undefined && !behaviour.ignoreRange) {
      start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { ...headers, 'content-range': `bytes */${body.length}` });
        return void res.end();
      }
      headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    }
    const slice = body.subarray(start);
    res.writeHead(start > 0 ? 206 : 200, { ...headers, 'content-length': String(slice.length) });
    if (behaviour.stallAfter === undefined) return void res.end(slice);
    res.write(slice.subarray(0, behaviour.stallAfter)); // and never end: the client must abort
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    behaviour,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

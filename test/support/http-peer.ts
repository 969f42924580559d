import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface PeerReply {
  status: number;
  headers?: Record<string, string>;
  delayMs?: number;
}

/**
 * A real HTTP server on loopback standing in for a client webhook or a carrier: it records
 * every request and answers from a script (`replies`, then `fallback`).
 */
export async function startHttpPeer(fallback: PeerReply = { status: 200 }) {
  const received: ReceivedRequest[] = [];
  const replies: PeerReply[] = [];
  let answer: (request: ReceivedRequest) => PeerReply | undefined = () => undefined;
  const waiters: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: Date.now() };
      received.push(request);
      const reply = answer(request) ?? replies.shift() ?? fallback;
      const send = () => {
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end('{}');
        waiters.splice(0).forEach((wake) => wake());
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    received,
    replies,
    respondWith(fn: typeof answer) {
      answer = fn;
    },
    /** Resolves once `count` requests have been answered (or rejects after `timeoutMs`). */
    async waitFor(count: number, timeoutMs = 30_000): Promise<ReceivedRequest[]> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} requests, got ${received.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
      return received.slice(0, count);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type HttpPeer = Awaited<ReturnType<typeof startHttpPeer>>;

/**
 * The carrier of the harness's `http` connection: records every outbound (MT) message chathook
 * sends it, by its `id` (the reply's eventId, stable across chathook's retries), and answers 200.
 */
import { createServer, type Server } from 'node:http';

export interface CarrierSend {
  id: string;
  to: string;
  text: string;
  count: number;
  firstAt: number;
}

export class ChaosCarrier {
  /** Outbound messages by id; `count` > 1 is one reply sent again under its id. */
  readonly sent = new Map<string, CarrierSend>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<ChaosCarrier> {
    const server = createServer();
    const carrier = new ChaosCarrier(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        try {
          const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            id?: string;
            to?: string;
            text?: string;
          };
          carrier.record(String(message.id ?? ''), String(message.to ?? ''), String(message.text ?? ''));
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return carrier;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  private record(id: string, to: string, text: string): void {
    const known = this.sent.get(id);
    if (known) known.count += 1;
    else this.sent.set(id, { id, to, text, count: 1, firstAt: Date.now() });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

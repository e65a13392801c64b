import { createServer, type Server } from 'node:http';

/** A webhook receiver on loopback whose answer the test switches between failing and working. */
export interface Receiver {
  url: string;
  /** Bodies received so far. */
  received: string[];
  /** The status every request gets from now on. */
  answerWith(status: number): void;
  close(): Promise<void>;
}

export async function startReceiver(initialStatus: number): Promise<Receiver> {
  let status = initialStatus;
  const received: string[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      received.push(body);
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'receiver is down for maintenance');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hooks/tripline`,
    received,
    answerWith: (next) => {
      status = next;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

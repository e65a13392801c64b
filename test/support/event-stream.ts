import { get, type IncomingHttpHeaders } from 'node:http';

export interface SseFrame {
  event: string;
  data: string;
}

export interface EventStream {
  status: number;
  headers: IncomingHttpHeaders;
  next(): Promise<SseFrame>;
  close(): void;
}

/**
 * Opens the event stream with node:http rather than fetch(): undici opens a spare connection when
 * a streamed body is cancelled, and that idle socket would hold server.close() for its keep-alive.
 */
export function openEventStream(url: string, key?: string): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const request = get(`${url}/api/v1/events`, { agent: false, headers: key ? { authorization: `Bearer ${key}` } : {} }, (response) => {
      response.setEncoding('utf8');
      let buffered = '';
      let ended = false;
      let wake: (() => void) | undefined;
      response.on('data', (chunk: string) => {
        buffered += chunk;
        wake?.();
      });
      const finish = () => {
        ended = true;
        wake?.();
      };
      response.on('end', finish);
      response.on('close', finish);
      response.on('error', finish);
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        async next() {
          for (;;) {
            const end = buffered.indexOf('\n\n');
            if (end !== -1) {
              const block = buffered.slice(0, end);
              buffered = buffered.slice(end + 2);
              const lines = block.split('\n').filter((line) => !line.startsWith(':'));
              if (lines.length === 0) continue;
              const field = (name: string) =>
                lines
                  .filter((line) => line.startsWith(`${name}: `))
                  .map((line) => line.slice(name.length + 2))
                  .join('\n');
              return { event: field('event'), data: field('data') };
            }
            if (ended) throw new Error('stream ended');
            await new Promise<void>((done) => (wake = done));
          }
        },
        close: () => request.destroy(),
      });
    });
    request.on('error', reject);
  });
}

export interface SseMessage {
  event: string;
  data: string;
}

/**
 * Splits a text/event-stream body into messages. Enough of the format for Tripline's stream:
 * `event:` and `data:` fields, comment lines (keep-alives) skipped, frames ended by a blank line.
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let end: number;
      // biome-ignore lint/suspicious/noAssignInExpressions: scan for each frame end in turn.
      while ((end = buffered.indexOf('\n\n')) !== -1) {
        const message = parseFrame(buffered.slice(0, end));
        buffered = buffered.slice(end + 2);
        if (message) yield message;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

function parseFrame(frame: string): SseMessage | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of frame.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length === 0 && event === 'message' ? undefined : { event, data: data.join('\n') };
}

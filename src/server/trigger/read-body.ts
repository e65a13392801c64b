import type { IncomingMessage } from 'node:http';
import type { CapturedBody } from '../../core/model/hit-detail.js';
import { CAPTURE_LIMITS, captureBody } from './capture.js';

/** Carries what was read before the cap, so the hit is still recorded with the body's first bytes. */
export class BodyTooLargeError extends Error {
  constructor(readonly captured: CapturedBody) {
    super(`request body is larger than ${CAPTURE_LIMITS.bodyMax} bytes`);
  }
}

export function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Reads any body, keeping its first bytes and counting the rest, so a trigger never buffers an
 * attacker's upload whole and never refuses a content type. Call it only when hasBody().
 */
export function readTriggerBody(request: IncomingMessage): Promise<CapturedBody | undefined> {
  return new Promise((resolve, reject) => {
    const head: Buffer[] = [];
    let kept = 0;
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > CAPTURE_LIMITS.bodyMax) {
        request.removeAllListeners('data');
        request.resume();
        // size is what arrived before the cap was passed: at least that much was sent.
        reject(new BodyTooLargeError(captureBody(Buffer.concat(head), size)));
        return;
      }
      if (kept < CAPTURE_LIMITS.bodyHead) {
        const part = chunk.subarray(0, CAPTURE_LIMITS.bodyHead - kept);
        head.push(part);
        kept += part.length;
      }
    });
    request.on('end', () => resolve(size === 0 ? undefined : captureBody(Buffer.concat(head), size)));
    request.on('error', reject);
  });
}

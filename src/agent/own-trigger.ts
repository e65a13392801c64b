/**
 * GetUrl to the server this agent reports to. The tutorial's policy fires a web bug with GetUrl,
 * and the hit that makes arrives from the agent's own address with no process behind it. When
 * the URL is a trigger URL of the agent's own server, the agent reports the event itself instead
 * (the process, its parent, the file, the access, the container), and the server records it as
 * the web bug's one hit. A GetUrl to any other URL is left to the ordinary GetUrl.
 */
import { candidateTokenIds } from '../core/token-id-candidates.js';

export class OwnTriggerUrls {
  private base: string | null = null;

  /** From the server's answer to a heartbeat: the base URL of its trigger plane. */
  learn(answer: unknown): void {
    const url = (answer as { triggerUrl?: unknown } | null)?.triggerUrl;
    if (typeof url === 'string' && URL.canParse(url)) this.base = url.replace(/\/+$/, '');
  }

  /** The token `url` triggers when it is a trigger URL of this agent's server; null otherwise. */
  tokenOf(url: string): string | null {
    if (!this.base || !url.startsWith(`${this.base}/`) || !URL.canParse(url)) return null;
    return candidateTokenIds(new URL(url).pathname)[0] ?? null;
  }
}

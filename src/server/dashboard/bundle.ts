import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `make web` puts the built dashboard; the same depth from src/ (tsx) and dist/ (built). */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface DashboardFile {
  body: Buffer;
  contentType: string;
  etag: string;
  /** Vite names files under assets/ by content hash, so they may be cached for good. */
  immutable: boolean;
}

/**
 * The built dashboard, read into memory once at start-up. Requests are answered by looking their
 * path up in this map, so no request path ever reaches the file system and `..` finds nothing.
 */
export class DashboardBundle {
  private constructor(private readonly files: Map<string, DashboardFile>) {}

  /** Loads every file under the directory, or returns undefined when the dashboard is not built. */
  static load(directory: string = DEFAULT_DASHBOARD_DIR): DashboardBundle | undefined {
    if (!existsSync(join(directory, 'index.html'))) return undefined;
    const files = new Map<string, DashboardFile>();
    for (const entry of readdirSync(directory, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const absolute = join(entry.parentPath, entry.name);
      const name = relative(directory, absolute).split(sep).join('/');
      const contentType = CONTENT_TYPES[extname(name).toLowerCase()];
      if (!contentType) continue;
      const body = readFileSync(absolute);
      files.set(name, {
        body,
        contentType,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        immutable: name.startsWith('assets/'),
      });
    }
    return new DashboardBundle(files);
  }

  /** The file at this path inside the bundle (no leading slash), if there is one. */
  file(path: string): DashboardFile | undefined {
    return this.files.get(path);
  }

  /** The page every client-side route is answered with. */
  get index(): DashboardFile {
    return this.files.get('index.html')!;
  }
}

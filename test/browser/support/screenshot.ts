import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

/** Screenshots land here (gitignored) for people to look at. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../test-output/browser/', import.meta.url));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A full-page screenshot from the top (a scrolled page would capture its sticky sidebar mid-way),
 * checked to be a real, non-trivial PNG. Returns its path. */
export async function fullPageShot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, name);
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path, fullPage: true });
  const bytes = readFileSync(path);
  assert.ok(bytes.length > 10_000, `${path} has content (${bytes.length} bytes)`);
  assert.deepEqual(bytes.subarray(0, 8), PNG_SIGNATURE, `${path} is a PNG`);
  return path;
}

import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ValidationError } from '../core/errors.js';
import type { Artifact, ArtifactFile } from '../tokens/kind.js';
import { safeText } from './output.js';

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/**
 * Writes a token's artifact file to `out` (or into `out` when it is a directory) and its extra files (such as the AWS `config` that goes
 * with `credentials`) next to it, under their own names. An existing extra file is never
 * overwritten: it may be the user's real configuration. Returns the paths written.
 */
export function writeArtifactFiles(artifact: Artifact, out: string): string[] {
  if (!artifact.file) throw new ValidationError('this token kind has no file artifact; --out applies to credential, decoy and document kinds');
  // An existing directory takes every file under its own name (an SSH key with its config).
  if (isDirectory(out)) out = join(out, artifact.file.name);
  const extras = (artifact.extraFiles ?? []).map((file) => ({ ...file, path: join(dirname(out), file.name) }));
  const clash = extras.find((file) => existsSync(file.path));
  if (clash) {
    throw new ValidationError(
      `${clash.path} exists and was left alone; choose an --out in another directory (the token was created: see it with token show --json)`,
    );
  }
  writeFileSync(out, bytesOf(artifact.file), { mode: artifact.file.mode ?? 0o600 });
  for (const file of extras) writeFileSync(file.path, bytesOf(file), { mode: file.mode ?? 0o600, flag: 'wx' });
  return [out, ...extras.map((file) => file.path)];
}

function bytesOf(file: ArtifactFile): string | Buffer {
  return file.encoding === 'base64' ? Buffer.from(file.content, 'base64') : file.content;
}

/** Where the files went, or (without --out) their content, so they can be copied into place. */
export function printArtifactFiles(artifact: Artifact, written: string[]): void {
  if (written.length > 0) {
    process.stdout.write(`\nwrote ${written.join(', ')}\n`);
    return;
  }
  for (const file of [...(artifact.file ? [artifact.file] : []), ...(artifact.extraFiles ?? [])]) {
    if (file.encoding === 'base64') {
      // Bytes would garble the terminal: say how to get them instead.
      process.stdout.write(`\n--- ${safeText(file.name)} (binary, ${Buffer.from(file.content, 'base64').length} bytes: write it with --out FILE) ---\n`);
      continue;
    }
    // Artifact text is the server's own, but pass it through the same control-character guard.
    const body = file.content
      .split('\n')
      .map((line) => safeText(line))
      .join('\n');
    process.stdout.write(`\n--- ${safeText(file.name)} ---\n${body}${body.endsWith('\n') ? '' : '\n'}`);
  }
}

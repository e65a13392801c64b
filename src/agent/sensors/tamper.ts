/**
 * What happened to a decoy, decided by comparing what was at its path before and after a tamper
 * event. The event only says "look again"; the comparison says what changed. That keeps the
 * answer right when events merge, arrive late, or overflow the queue.
 */
import type { DecoyChange } from '../../core/file-event.js';
import type { FileState } from './decoy-marks.js';
import { FAN_MOVE_SELF, FAN_MOVED_FROM } from './fanotify-abi.js';

export function tamperChanges(before: FileState | null, after: FileState | null, mask: number): DecoyChange[] {
  if (!before && !after) return [];
  if (before && !after) return [mask & (FAN_MOVED_FROM | FAN_MOVE_SELF) ? 'renamed' : 'deleted'];
  if (!before || !after || before.dev !== after.dev || before.ino !== after.ino) return ['replaced'];
  const changes: DecoyChange[] = [];
  // Ownership counts with the permission bits: chown hands the decoy to someone as surely as chmod.
  if (before.mode !== after.mode || before.uid !== after.uid || before.gid !== after.gid) changes.push('mode_changed');
  if (before.size !== after.size || before.mtimeMs !== after.mtimeMs) changes.push('modified');
  return changes;
}

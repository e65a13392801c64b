/**
 * One reported access and the verdict it waits for. The first verdict wins; later calls return
 * false. A request nobody answers is allowed by the addon after the sensor's reply timeout.
 */
import { constants } from 'node:os';
import type { FileAccessEvent } from '../../core/file-event.js';
import { FAN_ALLOW } from './fanotify-abi.js';

/** How a request reaches the kernel; implemented by the sensor. */
export interface Verdicts {
  /** Sends a response for a waiting event; false when it no longer waits. `remember`: see
   * AccessRequest.allowRepeats. */
  reply(id: number, response: number, remember?: boolean): boolean;
  denyResponse(errno: number | string | undefined): number;
  /** Signals the accessor (through the event's pidfd while it waits). */
  signal(id: number, pid: number, signal: number): boolean;
}

export function signalNumber(signal: NodeJS.Signals | number): number {
  const n = typeof signal === 'number' ? signal : constants.signals[signal];
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`unknown signal ${String(signal)}`);
  return n;
}

export class AccessRequest {
  #answered: boolean;

  constructor(
    readonly event: FileAccessEvent,
    /** The watched path this inode belongs to (event.path is the name it was reached by). */
    readonly decoy: string,
    /** open(2) flags of the blocked open (O_WRONLY, O_APPEND, O_TRUNC ...), when it is one and
     * the flags could be read; see openMode(). */
    readonly openFlags: number | null,
    private readonly id: number,
    private readonly verdicts: Verdicts,
  ) {
    this.#answered = id === 0;
  }

  /** True when the process waits for this verdict (a permission event). */
  get blocking(): boolean {
    return this.id !== 0;
  }

  get answered(): boolean {
    return this.#answered;
  }

  allow(): boolean {
    return this.answer(FAN_ALLOW);
  }

  /**
   * Allows, and lets the addon allow this process execution's later reads and opens of the file
   * (through the same name) itself, before asking: they still arrive, already answered. Only for a file
   * whose every watching policy merely monitors (onlyMonitors), so that no later verdict could be
   * anything but allow; the process context read for this request is what those reads report.
   */
  allowRepeats(): boolean {
    return this.answer(FAN_ALLOW, true);
  }

  /** Fails the access with errno (default EPERM; see DENY_ERRNOS for what the kernel takes). */
  deny(errno?: number | string): boolean {
    return this.answer(this.verdicts.denyResponse(errno));
  }

  /** Sends a signal and leaves the verdict open (Tetragon's Signal action). */
  signal(signal: NodeJS.Signals | number): boolean {
    return this.verdicts.signal(this.id, this.event.process.pid, signalNumber(signal));
  }

  /** Signals the waiting process, then denies: with SIGKILL it dies before the access completes. */
  kill(signal: NodeJS.Signals | number = 'SIGKILL'): boolean {
    const sent = this.signal(signal);
    this.deny();
    return sent;
  }

  private answer(response: number, remember = false): boolean {
    if (this.#answered) return false;
    this.#answered = true;
    return this.verdicts.reply(this.id, response, remember);
  }
}

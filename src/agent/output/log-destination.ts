/**
 * Where the verdict thread's log lines go: handed to the output thread while it runs, which
 * writes them to stderr with its own per-access lines, so stderr has one writer (no line of one
 * thread cut into by the other's) and a slow stderr reader never holds a verdict. Before the
 * output thread starts and after it stops, lines are written here directly, one write(2) each.
 */
import { writeSync } from 'node:fs';

export class LogDestination {
  private forward: ((line: string) => void) | null = null;

  /** pino's destination interface: one call per serialized line. */
  write(line: string): void {
    if (this.forward) {
      this.forward(line);
      return;
    }
    try {
      writeSync(2, line);
    } catch {
      // stderr closed or full beyond repair: a log line is not worth the agent.
    }
  }

  /** Lines go to `forward` from now on; null writes them here again. */
  forwardTo(forward: ((line: string) => void) | null): void {
    this.forward = forward;
  }
}

/** The last few durations of something, to draw from: a cheap stand-in for its distribution. */
export class RecentDurations {
  private readonly values: number[] = [];
  private next = 0;

  constructor(private readonly size = 64) {}

  add(ms: number): void {
    if (this.values.length < this.size) this.values.push(ms);
    else this.values[this.next] = ms;
    this.next = (this.next + 1) % this.size;
  }

  /** The middle of the kept durations; undefined when none was seen yet. */
  median(): number | undefined {
    if (this.values.length === 0) return undefined;
    const sorted = [...this.values].sort((a, b) => a - b);
    const middle = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  }

  /** One of the kept durations at random; 0 when none was seen yet. */
  sample(): number {
    if (this.values.length === 0) return 0;
    return this.values[Math.floor(Math.random() * this.values.length)]!;
  }
}

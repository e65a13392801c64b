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

  /** One of the kept durations at random; 0 when none was seen yet. */
  sample(): number {
    if (this.values.length === 0) return 0;
    return this.values[Math.floor(Math.random() * this.values.length)]!;
  }
}

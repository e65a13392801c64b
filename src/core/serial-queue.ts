/**
 * Runs tasks one at a time, in the order they were given: for work that shares state across
 * awaits (maps, files, reference counts) and must see what the previous task left. A task that
 * fails rejects its own promise only; the tasks after it still run.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * A SerialQueue per key: tasks of one key run one at a time, tasks of different keys run
 * concurrently. A key's queue is forgotten once its last task settles, so keys seen once cost
 * nothing afterwards.
 */
export class KeyedSerialQueue<K> {
  private readonly queues = new Map<K, { queue: SerialQueue; pending: number }>();

  run<T>(key: K, task: () => Promise<T>): Promise<T> {
    let entry = this.queues.get(key);
    if (!entry) {
      entry = { queue: new SerialQueue(), pending: 0 };
      this.queues.set(key, entry);
    }
    const current = entry;
    current.pending += 1;
    const result = current.queue.run(task);
    void result
      .catch(() => undefined)
      .finally(() => {
        current.pending -= 1;
        if (current.pending === 0 && this.queues.get(key) === current) this.queues.delete(key);
      });
    return result;
  }

  /** Keys with a task queued or running. */
  get activeKeys(): number {
    return this.queues.size;
  }
}

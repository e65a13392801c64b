import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';

export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload(): void;
  /** Changes the loaded data in place (live updates, optimistic edits). */
  update(change: (current: T) => T): void;
}

/**
 * Loads data when the dependencies change. Answers that arrive after a newer request was made
 * are dropped, so a slow early response never overwrites a fresh one.
 */
export function useResource<T>(load: () => Promise<T>, deps: DependencyList): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [reloads, setReloads] = useState(0);
  const latestRequest = useRef(0);

  useEffect(() => {
    const request = ++latestRequest.current;
    setLoading(true);
    load().then(
      (value) => {
        if (request !== latestRequest.current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        if (request !== latestRequest.current) return;
        setError(failure instanceof Error ? failure : new Error(String(failure)));
        setLoading(false);
      },
    );
    // The caller's dependency list decides when to load; `load` is a new closure every render.
  }, [...deps, reloads]);

  const reload = useCallback(() => setReloads((n) => n + 1), []);
  const update = useCallback((change: (current: T) => T) => {
    setData((current) => (current === undefined ? current : change(current)));
  }, []);
  return { data, error, loading, reload, update };
}

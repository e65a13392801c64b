import { useCallback, useEffect, useRef, useState } from 'react';

const FLASH_MS = 6_000;

/** Ids to highlight for a few seconds (rows a live event just changed). */
export function useFlash(): [ReadonlySet<string>, (id: string) => void] {
  const [flashing, setFlashing] = useState<ReadonlySet<string>>(new Set());
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const timer of pending.values()) clearTimeout(timer);
    };
  }, []);

  const flash = useCallback((id: string) => {
    clearTimeout(timers.current.get(id));
    setFlashing((current) => new Set(current).add(id));
    timers.current.set(
      id,
      setTimeout(() => {
        timers.current.delete(id);
        setFlashing((current) => {
          const next = new Set(current);
          next.delete(id);
          return next;
        });
      }, FLASH_MS),
    );
  }, []);

  return [flashing, flash];
}

import { createContext, useCallback, useContext, useEffect, useEffectEvent, useMemo, useRef, useState, type ReactNode } from 'react';
import { followLiveEvents, type LiveStatus } from '../api/live';
import type { Hit } from '../api/types';
import { useSession } from '../auth/session';
import { visibleHit } from '../hits/visible-hit';

type HitListener = (hit: Hit) => void;

interface Live {
  status: LiveStatus;
  /** Grows each time the stream (re)connects: pages refetch on it to catch up on missed events. */
  generation: number;
  subscribe(listener: HitListener): () => void;
}

const LiveContext = createContext<Live | null>(null);

/** One event stream per signed-in tab, shared by every page. */
export function LiveEventsProvider({ children }: { children: ReactNode }) {
  const { api, expire } = useSession();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const [generation, setGeneration] = useState(0);
  const listeners = useRef(new Set<HitListener>());

  useEffect(
    () =>
      followLiveEvents(api, {
        onEvent: (event) => {
          if (event.type !== 'hit') return;
          const hit = visibleHit(event.hit);
          for (const listener of [...listeners.current]) listener(hit);
        },
        onStatus: setStatus,
        onReady: () => setGeneration((n) => n + 1),
        onUnauthorized: expire,
      }),
    [api, expire],
  );

  const subscribe = useCallback((listener: HitListener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const live = useMemo<Live>(() => ({ status, generation, subscribe }), [status, generation, subscribe]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

function useLive(): Live {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLive outside LiveEventsProvider');
  return live;
}

export function useLiveStatus(): LiveStatus {
  return useLive().status;
}

/** A number that changes whenever the stream reconnects; use it as a dependency to refetch. */
export function useLiveGeneration(): number {
  return useLive().generation;
}

/** Calls the handler for every new hit while the component is mounted. */
export function useLiveHits(handler: HitListener): void {
  const { subscribe } = useLive();
  const onHit = useEffectEvent(handler);
  useEffect(() => subscribe((hit) => onHit(hit)), [subscribe]);
}

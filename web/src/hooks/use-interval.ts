import { useEffect, useEffectEvent } from 'react';

/** Runs the callback every `ms` while the tab is visible (no point refreshing a hidden page). */
export function useInterval(callback: () => void, ms: number): void {
  const tick = useEffectEvent(callback);
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') tick();
    }, ms);
    return () => clearInterval(timer);
  }, [ms]);
}

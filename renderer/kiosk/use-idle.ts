import { useEffect, useRef, useState } from 'react';

const ACTIVITY = ['pointerdown', 'keydown', 'touchstart', 'wheel'] as const;

/**
 * Calls `onIdle` once nobody has touched the screen for `ms`; any touch or key restarts the wait.
 * Returns the whole seconds left (for a countdown). `ms` null disables it.
 */
export function useIdle(ms: number | null, onIdle: () => void): number | null {
  const callback = useRef(onIdle);
  callback.current = onIdle;
  const [left, setLeft] = useState<number | null>(ms === null ? null : Math.ceil(ms / 1000));

  useEffect(() => {
    if (ms === null) {
      setLeft(null);
      return;
    }
    let deadline = Date.now() + ms;
    const restart = () => {
      deadline = Date.now() + ms;
    };
    for (const type of ACTIVITY) document.addEventListener(type, restart, { capture: true, passive: true });
    const tick = setInterval(() => {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        restart();
        callback.current();
      }
      setLeft(Math.max(0, Math.ceil((deadline - Date.now()) / 1000)));
    }, 250);
    setLeft(Math.ceil(ms / 1000));
    return () => {
      clearInterval(tick);
      for (const type of ACTIVITY) document.removeEventListener(type, restart, { capture: true });
    };
  }, [ms]);
  return left;
}

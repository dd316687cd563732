/**
 * Loads something from the API for a page: `data` once loaded, `error` as a sentence, `reload()`, and optional
 * polling (`refreshMs`) for pages that follow something changing on its own — a request until it is active, a review
 * while items move — so nobody has to press refresh. A reload keeps the data shown until the new one arrives.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { errorMessage } from '../api/errors';

export interface Resource<T> {
  data: T | undefined;
  error: string | undefined;
  /** Nothing loaded yet (neither data nor an error). */
  loading: boolean;
  reload(): Promise<void>;
}

export function useResource<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
  options: { refreshMs?: number | ((data: T | undefined) => number | undefined) } = {},
): Resource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const loadRef = useRef(load);
  useLayoutEffect(() => {
    loadRef.current = load;
  });
  const generation = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const value = await loadRef.current();
      if (mine !== generation.current) return;
      setData(value);
      setError(undefined);
    } catch (err) {
      if (mine === generation.current) setError(errorMessage(err));
    }
  }, []);

  useEffect(() => {
    void reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller's deps decide when to load again
  }, deps);

  const refresh = options.refreshMs;
  const interval = typeof refresh === 'function' ? refresh(data) : refresh;
  useEffect(() => {
    if (!interval) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void reload();
    }, interval);
    return () => window.clearInterval(timer);
  }, [interval, reload]);

  return { data, error, loading: data === undefined && error === undefined, reload };
}

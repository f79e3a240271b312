import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** The location after `#`: a path and its query, e.g. `/requests?status=4xx`. */
export function useRoute(): { path: string[]; params: URLSearchParams } {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  const [path, search = ''] = hash.replace(/^#\/?/, '').split('?');
  return { path: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(search) };
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  reload: () => void;
}

/** Loads with `load` now, whenever `deps` change, and every `everyMs` if given (new requests appear without a reload). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], everyMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown }>({ data: undefined, error: undefined });
  const latest = useRef(0);
  const run = useCallback(() => {
    const ticket = ++latest.current;
    // Through a promise, so that a loader that throws at once (a path `route` refuses) shows as an error too.
    Promise.resolve().then(load).then(
      (data) => ticket === latest.current && setState({ data, error: undefined }),
      (error: unknown) => ticket === latest.current && setState((before) => ({ data: before.data, error })),
    );
  }, deps);
  useEffect(() => {
    setState({ data: undefined, error: undefined });
    run();
    if (everyMs === undefined) return undefined;
    const timer = setInterval(run, everyMs);
    return () => clearInterval(timer);
  }, [run, everyMs]);
  return { ...state, reload: run };
}

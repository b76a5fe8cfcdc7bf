/*
 * Live data over the events WebSocket (subprotocol difos-events):
 * {"topic": "...", "data": {...}}. Reconnects with back-off.
 */
export function subscribe(topic: string, onData: (data: unknown) => void, onState?: (open: boolean) => void): () => void {
  let ws: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let delay = 1000;
  let stopped = false;

  const connect = () => {
    if (stopped) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/events`;
    try {
      ws = new WebSocket(url, 'difos-events');
    } catch {
      retry();
      return;
    }
    ws.onopen = () => {
      delay = 1000;
      onState?.(true);
    };
    ws.onmessage = (ev) => {
      try {
        const m = JSON.parse(String(ev.data)) as { topic?: string; data?: unknown };
        if (m.topic === topic) onData(m.data);
      } catch {
        // not JSON: ignore
      }
    };
    ws.onclose = () => {
      ws = null;
      onState?.(false);
      retry();
    };
  };
  const retry = () => {
    if (stopped) return;
    timer = setTimeout(connect, delay);
    delay = Math.min(delay * 2, 30000);
  };
  connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (ws) {
      ws.onclose = null;
      ws.close();
    }
  };
}

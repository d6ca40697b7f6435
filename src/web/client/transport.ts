// The windows' transport in a browser: each request a POST /api/<name> with its JSON payload (the server
// answers with the same Result the app's IPC gives), each event from one Server-Sent Events stream. With it,
// createApi builds the very window.portwatch the preload exposes in the app.
import type { EventName } from '../../shared/ipc.ts';
import type { Transport } from '../../preload/api.ts';

export const LOGIN_PAGE = '/login.html';

export function browserTransport(): Transport {
  let source: EventSource | undefined;
  return {
    async invoke(channel, payload) {
      let response: Response;
      try {
        response = await fetch(`/api/${channel}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(payload),
          credentials: 'same-origin',
        });
      } catch {
        return { ok: false, error: 'Portwatch does not answer; is portwatch watch --ui still running?' };
      }
      if (response.status === 401) location.assign(LOGIN_PAGE);
      const body = (await response.json().catch(() => null)) as { ok?: boolean; error?: string } | null;
      if (body && typeof body.ok === 'boolean') return body;
      return { ok: false, error: `the server answered ${response.status} ${response.statusText}` };
    },
    subscribe(event: EventName, listener) {
      // One stream for every subscription; EventSource reconnects by itself after a restart.
      source ??= new EventSource('/api/events');
      const handler = (message: MessageEvent<string>) => listener(JSON.parse(message.data));
      source.addEventListener(event, handler);
      return () => source?.removeEventListener(event, handler);
    },
  };
}

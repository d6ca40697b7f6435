// window.portwatch, built from the contract's channel list: one method per request, `on` for events. The
// transport (ipcRenderer in the app, a Playwright binding in the tests) is passed in, so both build the very
// same object. No electron import here.
import { channels, eventNames, type AppEvents, type EventName, type PortwatchApi } from '../shared/ipc.ts';

export interface Transport {
  invoke(channel: string, payload: unknown): Promise<unknown>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

export function createApi(transport: Transport, platform: string): PortwatchApi {
  const api: Record<string, unknown> = { platform };
  for (const channel of channels) {
    // Only the payload crosses: never the event object, never ipcRenderer itself.
    api[channel] = (payload: unknown) => transport.invoke(channel, payload ?? {});
  }
  api.on = <E extends EventName>(event: E, listener: (payload: AppEvents[E]) => void) => {
    if (!eventNames.includes(event)) throw new Error(`unknown event '${String(event)}'`);
    return transport.subscribe(event, (payload) => listener(payload as AppEvents[E]));
  };
  return Object.freeze(api) as unknown as PortwatchApi;
}

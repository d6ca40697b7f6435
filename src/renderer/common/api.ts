// The windows' only way to main: window.portwatch, as exposed by the preload (or by the test bridge).
import type { Channel, Payload, PortwatchApi, RequestResults } from '../../shared/ipc.ts';

declare global {
  interface Window {
    portwatch: PortwatchApi;
  }
}

export const api = (): PortwatchApi => window.portwatch;

/** A request's value, or a thrown Error carrying the one-line message the window shows. */
export async function call<C extends Channel>(channel: C, payload: Payload<C>): Promise<RequestResults[C]> {
  const request = api()[channel] as (
    p: Payload<C>,
  ) => Promise<{ ok: true; value: RequestResults[C] } | { ok: false; error: string }>;
  const result = await request(payload);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

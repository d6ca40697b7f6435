// Registers every request handler with ipcMain. A message is answered only when it comes from one of our
// windows, loaded from our own origin; anything else is dropped with a one-line refusal (and logged).
import { channels, ipcChannel, type Channel } from '../shared/ipc.ts';
import type { Handlers } from '../engine/api/index.ts';
import type { IpcEventLike, IpcMainLike } from './deps.ts';
import { RENDERER_ORIGIN } from './renderer-protocol.ts';

export function isTrustedSender(
  event: IpcEventLike,
  isOurWindow: (webContentsId: number) => boolean,
): boolean {
  if (!isOurWindow(event.sender.id)) return false;
  const url = event.senderFrame?.url;
  return typeof url === 'string' && url.startsWith(`${RENDERER_ORIGIN}/`);
}

export function registerIpc(options: {
  ipcMain: IpcMainLike;
  handlers: Handlers;
  isOurWindow: (webContentsId: number) => boolean;
  log?: (line: string) => void;
}): () => void {
  const { ipcMain, handlers, isOurWindow } = options;
  const log = options.log ?? ((line: string) => console.warn(line));
  for (const channel of channels) {
    ipcMain.handle(ipcChannel(channel), async (event, payload) => {
      if (!isTrustedSender(event, isOurWindow)) {
        log(`portwatch: refused ${channel} from an unknown sender (${event.senderFrame?.url ?? 'no frame'})`);
        return { ok: false, error: 'refused: this request did not come from a Portwatch window' };
      }
      return handlers[channel as Channel](payload);
    });
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(ipcChannel(channel));
  };
}

// The preload: exposes the typed window.portwatch API to the sandboxed windows over contextBridge. Raw
// ipcRenderer is never exposed; only the contract's channels can be reached.
import { contextBridge, ipcRenderer } from 'electron';
import { ipcChannel, type Channel } from '../shared/ipc.ts';
import { createApi } from './api.ts';

const api = createApi(
  {
    invoke: (channel, payload) => ipcRenderer.invoke(ipcChannel(channel as Channel), payload),
    subscribe(event, listener) {
      const wrapped = (_event: unknown, payload: unknown) => listener(payload);
      ipcRenderer.on(ipcChannel(event), wrapped);
      return () => {
        ipcRenderer.removeListener(ipcChannel(event), wrapped);
      };
    },
  },
  process.platform,
);

contextBridge.exposeInMainWorld('portwatch', api);

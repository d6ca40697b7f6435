// What Electron accepts only before `ready`, in one place: the sandbox for every renderer, the privileged
// scheme the windows are served from, and (Windows only) the AppUserModelID notifications and the taskbar
// are filed under, which must be electron-builder's `appId` or notifications from the installed app are
// dropped. setAppUserModelId is typed `@platform win32`; elsewhere it is not called at all.
export const APP_ID = 'app.portwatch';

export interface BeforeReadyElectron {
  platform: NodeJS.Platform;
  enableSandbox(): void;
  registerRendererScheme(): void;
  setAppUserModelId(id: string): void;
}

export function beforeReady(electron: BeforeReadyElectron): void {
  electron.enableSandbox();
  electron.registerRendererScheme();
  if (electron.platform === 'win32') electron.setAppUserModelId(APP_ID);
}

// Input rules shared by the CLI and the settings window. Browser-safe.
export * from './result.ts';
export * from './targets.ts';
export * from './ports.ts';
export * from './options.ts';
export * from './profile-name.ts';
export * from './schedule.ts';

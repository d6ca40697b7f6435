// The settings window in a browser: the app's renderer code, over the HTTP transport.
import './boot.ts';
import '../../renderer/settings/main.tsx';

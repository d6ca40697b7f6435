// The history window in a browser: the app's renderer code, over the HTTP transport.
import './boot.ts';
import '../../renderer/history/main.tsx';

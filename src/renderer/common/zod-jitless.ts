// Imported first by every window: zod compiles validators with new Function() unless told not to, and even
// its probe for that trips the windows' Content-Security-Policy (no eval) with a violation report.
import { config } from 'zod';

config({ jitless: true });

// A profile as a window saves it, for the tests: connect scans of the given ports, manual schedule, no
// reverse DNS (the machine's resolver is off loopback, and tests talk to loopback only).
import type { ProfileInput } from '../../src/shared/ipc.ts';

export function manualProfile(name: string, targets: string[], ports: string): ProfileInput {
  return {
    name,
    targets,
    options: {
      ports: { kind: 'list', spec: ports },
      technique: 'connect',
      serviceDetection: false,
      osDetection: false,
      timing: 4,
      skipHostDiscovery: true,
      confirmChanges: true,
      timeoutSeconds: 120,
      resolveHostnames: false,
    },
    schedule: { kind: 'manual' },
    watchdogHours: 0,
  };
}

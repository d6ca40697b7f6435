// The systemd unit that runs `portwatch watch` on a server: hardened so that the only thing it can write is
// its data directory, with raw-socket capability only when privileged scans are asked for. The repository's
// assets/systemd/portwatch.service is this function's output with the defaults (a test keeps them equal).

export interface UnitOptions {
  /** Absolute path of the portwatch program. */
  exec: string;
  dataDir: string;
  /** A per-user unit (systemctl --user): no User=, the home directory read-only except the data directory. */
  user?: boolean;
  /** The system account the service runs as. */
  account?: string;
  /** Extra arguments for `watch`, e.g. ["--metrics", "127.0.0.1:9464"]. */
  watchArgs?: string[];
}

export const DEFAULT_UNIT: UnitOptions = {
  exec: '/usr/local/bin/portwatch',
  dataDir: '/var/lib/portwatch',
  account: 'portwatch',
};

/** A value in a unit file: '%' is systemd's specifier character; quote what has spaces. */
function unitValue(text: string): string {
  const escaped = text.replace(/%/g, '%%').replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return /[\s"'\\]/.test(text) ? `"${escaped}"` : escaped;
}

export function renderUnit(options: UnitOptions): string {
  const command = [options.exec, '--data-dir', options.dataDir, 'watch', ...(options.watchArgs ?? [])]
    .map(unitValue)
    .join(' ');
  const account = options.account ?? 'portwatch';
  const who = options.user
    ? []
    : [
        `User=${account}`,
        `Group=${account}`,
        '# /var/lib/portwatch, created for the service and only its own',
        'StateDirectory=portwatch',
        'StateDirectoryMode=0700',
        'CacheDirectory=portwatch',
        'Environment=XDG_CACHE_HOME=/var/cache',
      ];
  return `# Portwatch: watch open ports and alert when they change (portwatch watch as a service).
# Installed by 'portwatch service install${options.user ? ' --user' : ''}'. Privileged scans (SYN, UDP, OS detection):
# 'portwatch service install --privileged' adds the drop-in that grants CAP_NET_RAW.
[Unit]
Description=Portwatch: watch open ports and alert when they change
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=${command}
${who.join('\n')}${who.length ? '\n' : ''}# One plain line per event (journald adds the time); SIGTERM cancels a running scan and records it.
Environment=NO_COLOR=1
KillSignal=SIGTERM
TimeoutStopSec=90
Restart=on-failure
RestartSec=30
UMask=0077

# Hardening: nothing writable but the data directory, no privilege gain, no devices, no kernel knobs.
NoNewPrivileges=yes
ProtectSystem=strict
${options.user || /^\/(home|root)\//.test(options.exec) ? 'ProtectHome=read-only' : 'ProtectHome=yes'}
ReadWritePaths=${unitValue(options.dataDir)}
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
SystemCallArchitectures=native
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
${options.user ? '' : '# No capabilities unless the privileged drop-in grants CAP_NET_RAW.\nCapabilityBoundingSet=\n'}
[Install]
WantedBy=${options.user ? 'default.target' : 'multi-user.target'}
`;
}

/** The drop-in for privileged scans: CAP_NET_RAW for nmap's raw sockets, and nmap told it has it. */
export function renderPrivilegedDropIn(): string {
  return `# Privileged scans (SYN, UDP, OS detection): nmap gets CAP_NET_RAW, and only that.
[Service]
AmbientCapabilities=CAP_NET_RAW
CapabilityBoundingSet=CAP_NET_RAW
RestrictAddressFamilies=AF_PACKET
# nmap does not look for ambient capabilities itself.
Environment=NMAP_PRIVILEGED=1
`;
}

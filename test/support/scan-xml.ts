// Synthetic nmap scans for the diff's tests: many hosts, cheap to make, with the changes a rescan brings.

/**
 * A scan of `n` hosts (~700 bytes each). `shift` moves every start/end time and <times> (which ndiff ignores);
 * `changed` hosts get a different port state, SSH version or web server (ndiff 7.93 crashes on a script change
 * in plain text).
 */
export function scanXml(n: number, shift: number, changed: Set<number>, extra = ''): string {
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n',
    `<nmaprun scanner="nmap" args="nmap -sV 10.9.0.0/20" start="${1700000000 + shift}" version="7.93" xmloutputversion="1.05">\n`,
    '<scaninfo type="syn" protocol="tcp" numservices="2" services="22,80"/>\n',
  ];
  for (let i = 0; i < n; i++) {
    const c = changed.has(i);
    const name = i % 7 === 0 ? `hôte-${i}.exämple.net` : `host-${i}.example.net`;
    parts.push(
      `<host starttime="${1700000000 + shift + i}" endtime="${1700000100 + shift + i}">` +
        `<status state="up" reason="echo-reply" reason_ttl="63"/>\n` +
        `<address addr="10.9.${i >> 8}.${i & 255}" addrtype="ipv4"/>\n` +
        `<hostnames>\n<hostname name="${name}" type="PTR"/>\n</hostnames>\n` +
        `<ports><extraports state="closed" count="998"><extrareasons reason="reset" count="998"/></extraports>\n` +
        `<port protocol="tcp" portid="22"><state state="${c && i % 3 === 0 ? 'closed' : 'open'}" reason="syn-ack" reason_ttl="63"/>` +
        `<service name="ssh" product="OpenSSH" version="${c && i % 3 === 1 ? '9.6' : '8.9p1'}" method="probed" conf="10"><cpe>cpe:/a:openbsd:openssh</cpe></service>` +
        `<script id="ssh-hostkey" output="&#xa;  256 aa:bb:${i % 97} (ECDSA)&#xa;  256 cc:dd (ED25519) ✓"/></port>\n` +
        `<port protocol="tcp" portid="80"><state state="open" reason="syn-ack" reason_ttl="63"/><service name="http" product="${c && i % 3 === 2 ? 'Apache httpd' : 'nginx'}" method="probed" conf="10"/></port>\n` +
        `</ports>\n<times srtt="${300 + shift + (i % 50)}" rttvar="100" to="100000"/>\n</host>\n`,
    );
  }
  parts.push(extra);
  parts.push(`<runstats><finished time="${1700009999 + shift}" timestr="x" elapsed="99" exit="success"/>`);
  parts.push(`<hosts up="${n}" down="0" total="${n}"/></runstats>\n</nmaprun>\n`);
  return parts.join('');
}

// The scan times as ndiff shows them: datetime.fromtimestamp (local time, honouring TZ), strftime
// "%a %b %d %H:%M:%S %Y" in the C locale, and for XML "start" the time.mktime round trip of that local time.

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const two = (n: number) => (n < 10 ? '0' : '') + n;

/** datetime.fromtimestamp(seconds).strftime("%a %b %d %H:%M:%S %Y"). */
export function formatLocalTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  return (
    `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${two(d.getDate())} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`
  );
}

/** The local wall-clock time at `seconds`, written as if it were UTC (seconds). */
function localWall(seconds: number): number {
  const d = new Date(seconds * 1000);
  return (
    Date.UTC(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()) / 1000
  );
}

/**
 * "%d" % time.mktime(datetime.fromtimestamp(seconds).timetuple()), as glibc computes it. With tm_isdst = -1
 * glibc's mktime probes from the UTC offset its previous call found (0 in a fresh process) and keeps the
 * first instant whose local time matches, so a time in the repeated hour after a DST change comes back as
 * either occurrence depending on what was converted before. One instance is one ndiff process.
 */
export class Mktime {
  /** glibc's localtime_offset: UTC minus local time, from the previous call. */
  private offset = 0;

  roundTrip(seconds: number): string {
    const wall = localWall(seconds);
    const t0 = wall + this.offset;
    let t = t0;
    for (let probes = 0; probes < 6; probes++) {
      const dt = wall - localWall(t);
      if (dt === 0) break;
      t += dt;
    }
    this.offset += t - t0;
    return String(Math.trunc(t));
  }
}

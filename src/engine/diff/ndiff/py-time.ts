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

/**
 * "%d" % time.mktime(datetime.fromtimestamp(seconds).timetuple()): the local wall time turned back into
 * seconds with DST guessed (tm_isdst = -1), so a time in the repeated hour after a DST change maps to its
 * first occurrence, as both glibc and JavaScript's Date do.
 */
export function mktimeRoundTrip(seconds: number): string {
  const d = new Date(seconds * 1000);
  const local = new Date(0);
  local.setFullYear(d.getFullYear(), d.getMonth(), d.getDate());
  local.setHours(d.getHours(), d.getMinutes(), d.getSeconds(), 0);
  return String(Math.trunc(local.getTime() / 1000));
}

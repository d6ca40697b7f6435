// How often the user hears about failed scans: at most once per `everyHours` per profile. A pure function of
// the previous notice's time, so the mail and the desktop notices share one rule and it is testable.

/** Whether a failed-scan notice may go out now. `everyHours` 0 means never. */
export function mayNotifyFailure(
  previous: Date | string | null | undefined,
  now: Date,
  everyHours: number,
): boolean {
  if (!(everyHours > 0)) return false;
  if (previous === null || previous === undefined) return true;
  const prev = typeof previous === 'string' ? Date.parse(previous) : previous.getTime();
  if (Number.isNaN(prev)) return true;
  // A clock set back (prev in the future) must not silence notices for days.
  if (prev > now.getTime()) return true;
  return now.getTime() - prev >= everyHours * 3_600_000;
}

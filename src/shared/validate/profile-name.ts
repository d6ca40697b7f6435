// Profile names: shown to the user, and (slugified) the profile's key and file name in the data directory.
// Browser-safe.
import { controlOrInvisible, describeChar, firstMatch } from './chars.ts';
import { invalid, valid, type Validation } from './result.ts';

export const MAX_PROFILE_NAME_LENGTH = 64;

/** Names Windows refuses as files whatever the extension. */
const reserved = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

/**
 * "Office LAN (2nd floor)" -> "office-lan-2nd-floor". Letters and digits of any script are kept (lower-cased,
 * NFC); everything else becomes '-'. Two names with the same slug are the same profile.
 */
export function slugifyProfileName(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_PROFILE_NAME_LENGTH);
}

export function validateProfileName(input: string): Validation<{ name: string; slug: string }> {
  const refuse = (message: string) =>
    invalid<{ name: string; slug: string }>([{ field: 'name', input, message }]);
  if (input.trim() === '') return refuse('the profile needs a name, e.g. "Office LAN"');
  const hidden = firstMatch(input, controlOrInvisible);
  if (hidden !== undefined) return refuse(`contains ${describeChar(hidden)}: use visible characters only`);
  if (input !== input.trim()) return refuse('starts or ends with a space: remove it');
  if (/[/\\]/.test(input)) return refuse("contains a path separator ('/' or '\\'): choose another character");
  if ([...input].length > MAX_PROFILE_NAME_LENGTH)
    return refuse(`is ${[...input].length} characters long; at most ${MAX_PROFILE_NAME_LENGTH}`);
  const slug = slugifyProfileName(input);
  if (slug === '') return refuse('needs at least one letter or digit');
  if (reserved.test(slug))
    return refuse(`'${input}' is a reserved file name on Windows: choose another name`);
  return valid({ name: input, slug });
}

/**
 * Bounded text for records and messages: a value read from data (a 50 MB
 * cell) must not be copied whole into a run record, a log line or a
 * terminal. The cut is marked with how much was left out.
 */

/** Characters of a data value shown in examples and messages. */
export const MAX_SHOWN_VALUE = 200;

export function boundText(s: string, max = MAX_SHOWN_VALUE): string {
  if (s.length <= max) return s;
  // Do not split a surrogate pair: the half would show as a replacement character.
  let end = max;
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${s.slice(0, end)}… (${s.length - end} more characters)`;
}

/**
 * `$0` marks the cursor in query tests: `cursorIn('on start { send $0 }')` gives
 * the text without the marker and the cursor's offset in it.
 */
export interface Cursor {
  text: string;
  offset: number;
}

export function cursorIn(source: string): Cursor {
  const offset = source.indexOf('$0');
  if (offset < 0) throw new Error('no $0 cursor marker in the test source');
  if (source.indexOf('$0', offset + 2) >= 0) throw new Error('more than one $0 cursor marker');
  return { text: source.slice(0, offset) + source.slice(offset + 2), offset };
}

/** The offset of the `nth` (0-based) occurrence of `needle` in `text`, plus `delta`; throws when absent. */
export function offsetOf(text: string, needle: string, delta = 0, nth = 0): number {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' (occurrence ${nth}) not found`);
  }
  return at + delta;
}

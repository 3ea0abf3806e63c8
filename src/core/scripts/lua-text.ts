/**
 * A Lua string literal holding exactly these bytes (text as UTF-8): printable ASCII as is, every
 * other byte, quotes and backslashes as a decimal escape, so that no byte of a namespace or
 * prefix can end the literal or change the script around it.
 */
export function luaString(value: string | Uint8Array): string {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  let out = '"';
  for (const byte of bytes) {
    const printable = byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c;
    out += printable ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`;
  }
  return `${out}"`;
}

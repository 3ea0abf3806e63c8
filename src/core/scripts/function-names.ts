/**
 * How a namespace shows in the names of its function libraries and functions, which Redis limits
 * to `[A-Za-z0-9_]` and compares without regard to case: lower-case letters and digits as they
 * are, every other byte of the name (upper-case letters included) as `_` and two hex digits
 * (`tenant-42` -> `tenant_2D42`, `Mcp2` -> `_4Dcp2`), then `__`. No encoding holds `__`, so the
 * first `__` of a name ends the namespace part, and no namespace's start can be another's, in
 * any case.
 *
 * @example
 * ```ts
 * functionNamePrefix('tenant-42'); // 'tenant_2D42__'
 * ```
 */
export function functionNamePrefix(namespace: string): string {
  let out = '';
  for (const byte of Buffer.from(namespace, 'utf8')) {
    const kept = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7a);
    out += kept ? String.fromCharCode(byte) : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `${out}__`;
}

/**
 * Compiles a file glob to a RegExp over `/`-separated relative paths: `*` and `?` stay within
 * one path segment, `**` spans segments, `{a,b}` is an alternation and `[...]` a class. A glob
 * without any of those (`services/mcp2`) also matches everything below that directory.
 * (Node 20 has no `path.matchesGlob`; this is the small subset configuration files need.)
 *
 * @example
 * ```ts
 * fileGlob('services/mcp2/**').test('services/mcp2/src/jobs.ts'); // true
 * fileGlob('**\/*.{ts,js}').test('a/b.js');                       // true
 * ```
 */
export function fileGlob(glob: string): RegExp {
  let pattern = glob.replace(/\\/g, '/').replace(/^\.\//, '');
  if (!/[*?[{]/.test(pattern)) pattern = `${pattern.replace(/\/$/, '')}{,/**}`;
  let out = '';
  let braces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (char === '*') out += '[^/]*';
    else if (char === '?') out += '[^/]';
    else if (char === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) out += '\\[';
      else {
        out += `[${pattern.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (char === '{') {
      braces++;
      out += '(?:';
    } else if (char === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (char === ',' && braces > 0) out += '|';
    else out += char.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

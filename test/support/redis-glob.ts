/**
 * Redis's glob matcher (`stringmatchlen` in util.c) ported line by line, so property tests can
 * check what a pattern matches without a server. Operates on bytes, as Redis does.
 */
export function globMatch(pattern: Uint8Array, text: Uint8Array, nocase = false): boolean {
  return match(pattern, 0, text, 0, nocase);
}

const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c + 32 : c);

function match(p: Uint8Array, pi: number, s: Uint8Array, si: number, nocase: boolean): boolean {
  while (pi < p.length && si < s.length) {
    const c = p[pi] as number;
    if (c === 0x2a /* * */) {
      while (pi + 1 < p.length && p[pi + 1] === 0x2a) pi++;
      if (pi + 1 === p.length) return true;
      for (let k = si; k < s.length; k++) if (match(p, pi + 1, s, k, nocase)) return true;
      return false;
    } else if (c === 0x3f /* ? */) {
      si++;
    } else if (c === 0x5b /* [ */) {
      pi++;
      const not = p[pi] === 0x5e; /* ^ */
      if (not) pi++;
      let matched = false;
      for (;;) {
        if (pi >= p.length) {
          pi--;
          break;
        }
        const pc = p[pi] as number;
        if (pc === 0x5c /* \ */ && pi + 1 < p.length) {
          pi++;
          if (p[pi] === s[si]) matched = true;
        } else if (pc === 0x5d /* ] */) {
          break;
        } else if (pi + 2 < p.length && p[pi + 1] === 0x2d /* - */) {
          let start = pc;
          let end = p[pi + 2] as number;
          let ch = s[si] as number;
          if (start > end) [start, end] = [end, start];
          if (nocase) {
            start = lower(start);
            end = lower(end);
            ch = lower(ch);
          }
          pi += 2;
          if (ch >= start && ch <= end) matched = true;
        } else if (nocase ? lower(pc) === lower(s[si] as number) : pc === s[si]) {
          matched = true;
        }
        pi++;
      }
      if (not) matched = !matched;
      if (!matched) return false;
      si++;
    } else {
      if (c === 0x5c /* \ */ && pi + 1 < p.length) pi++;
      const pc = p[pi] as number;
      if (nocase ? lower(pc) !== lower(s[si] as number) : pc !== s[si]) return false;
      si++;
    }
    pi++;
  }
  while (pi < p.length && p[pi] === 0x2a) pi++;
  return pi === p.length && si === s.length;
}

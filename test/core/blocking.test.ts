import { describe, expect, it } from 'vitest';
import { blockTimeMs, connectionScope } from '../../src/index.js';

describe('blockTimeMs', () => {
  it('reads the block time of each blocking command where it is given, in ms', () => {
    expect(blockTimeMs('blpop', ['a', 'b', '5'])).toBe(5000);
    expect(blockTimeMs('brpop', ['a', '0.25'])).toBe(250);
    expect(blockTimeMs('blmove', ['a', 'b', 'LEFT', 'RIGHT', '2'])).toBe(2000);
    expect(blockTimeMs('bzpopmin', ['z', '1'])).toBe(1000);
    expect(blockTimeMs('blmpop', ['3', '2', 'a', 'b', 'LEFT'])).toBe(3000);
    expect(blockTimeMs('bzmpop', ['1', '1', 'z', 'MIN'])).toBe(1000);
    expect(blockTimeMs('xread', ['COUNT', '1', 'BLOCK', '5000', 'STREAMS', 's', '$'])).toBe(5000);
    expect(blockTimeMs('xreadgroup', ['GROUP', 'g', 'c', 'BLOCK', '100', 'STREAMS', 's', '>'])).toBe(100);
    expect(blockTimeMs('wait', ['1', '200'])).toBe(200);
  });

  it('tells "forever" (0) from "not blocking" (undefined)', () => {
    expect(blockTimeMs('blpop', ['a', '0'])).toBe(0);
    expect(blockTimeMs('xread', ['COUNT', '1', 'STREAMS', 's', '0'])).toBeUndefined();
    expect(blockTimeMs('xread', ['STREAMS', 'BLOCK', '0'])).toBeUndefined();
    expect(blockTimeMs('get', ['k'])).toBeUndefined();
  });
});

describe('blockTimeMs reads XREAD/XREADGROUP options as Redis does', () => {
  it('steps over option values: a group or consumer named BLOCK or STREAMS neither hides nor fakes a BLOCK', () => {
    expect(blockTimeMs('xreadgroup', ['GROUP', 'STREAMS', 'c', 'BLOCK', '1500', 'STREAMS', 's', '>'])).toBe(1500);
    expect(blockTimeMs('xreadgroup', ['GROUP', 'BLOCK', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'])).toBe(0);
    expect(blockTimeMs('xreadgroup', ['GROUP', 'g', 'BLOCK', 'STREAMS', 's', '>'])).toBeUndefined();
    expect(blockTimeMs('xread', ['COUNT', '1', 'block', '20', 'STREAMS', 's', '$'])).toBe(20);
    expect(connectionScope('XREADGROUP', ['GROUP', 'STREAMS', 'c', 'BLOCK', '1500', 'STREAMS', 's', '>'])).toBe('blocking');
  });
});

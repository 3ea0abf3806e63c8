import { describe, expect, it } from 'vitest';
import { rateDelay } from '../../../src/cli/keyspace/scan-keyspace.js';

describe('keyspace rate limit', () => {
  it('waits what keeps the scan at --rate keys per second, and never when behind or unlimited', () => {
    expect(rateDelay(5000, 1000, 2000)).toBe(3000);
    expect(rateDelay(5000, 1000, 6000)).toBe(0);
    expect(rateDelay(5000, undefined, 0)).toBe(0);
  });
});

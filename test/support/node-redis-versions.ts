import * as redis6 from 'redis';
import * as redis5 from 'redis5';

/**
 * The node-redis majors every adapter suite runs against, side by side in one run. Typed as
 * node-redis 6 (the surface both share is what the tests use).
 */
export const NODE_REDIS_VERSIONS = [
  {
    name: 'node-redis 5',
    major: 5,
    createClient: redis5.createClient as unknown as typeof redis6.createClient,
    createCluster: redis5.createCluster as unknown as typeof redis6.createCluster,
    createSentinel: redis5.createSentinel as unknown as typeof redis6.createSentinel,
  },
  { name: 'node-redis 6', major: 6, createClient: redis6.createClient, createCluster: redis6.createCluster, createSentinel: redis6.createSentinel },
] as const;

export type NodeRedisVersion = (typeof NODE_REDIS_VERSIONS)[number];

/**
 * Each version with the protocols to run: both speak RESP2 and RESP3; node-redis 5 marks some
 * RESP3 reply shapes unstable and needs `unstableResp3` for them.
 */
export const NODE_REDIS_VARIANTS = NODE_REDIS_VERSIONS.flatMap((version) =>
  ([2, 3] as const).map((RESP) => ({
    ...version,
    RESP,
    label: `${version.name}, RESP${RESP}`,
    options: version.major === 5 && RESP === 3 ? { RESP, unstableResp3: true } : { RESP },
  })),
);

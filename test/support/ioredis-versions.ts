import * as ioredis5 from 'ioredis';
import * as ioredis6 from 'ioredis6';

/** The ioredis majors every adapter suite runs against, side by side in one run. */
export const IOREDIS_VERSIONS = [
  { name: 'ioredis 5', Redis: ioredis5.Redis, Cluster: ioredis5.Cluster },
  { name: 'ioredis 6', Redis: ioredis6.Redis as unknown as typeof ioredis5.Redis, Cluster: ioredis6.Cluster as unknown as typeof ioredis5.Cluster },
] as const;

export type IoredisVersion = (typeof IOREDIS_VERSIONS)[number];

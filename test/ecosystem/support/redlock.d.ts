/**
 * The part of redlock 5's API the ecosystem test uses. redlock 5.0.0-beta.2 ships its
 * declarations at dist/index.d.ts but names no `types` in its `exports`, so TypeScript's NodeNext
 * resolution cannot find them; this declares what the test calls, as that file does.
 */
declare module 'redlock' {
  import type { EventEmitter } from 'node:events';
  import type { Cluster, Redis } from 'ioredis';

  export interface Settings {
    readonly driftFactor: number;
    readonly retryCount: number;
    readonly retryDelay: number;
    readonly retryJitter: number;
    readonly automaticExtensionThreshold: number;
  }
  export class ExecutionError extends Error {}
  export class Lock {
    readonly resources: string[];
    readonly value: string;
    release(): Promise<unknown>;
    extend(duration: number): Promise<Lock>;
  }
  export default class Redlock extends EventEmitter {
    constructor(clients: Iterable<Redis | Cluster>, settings?: Partial<Settings>);
    acquire(resources: string[], duration: number, settings?: Partial<Settings>): Promise<Lock>;
    using<T>(resources: string[], duration: number, routine: (signal: AbortSignal) => Promise<T>): Promise<T>;
    quit(): Promise<void>;
  }
}

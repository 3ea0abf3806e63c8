import { afterEach, describe, expect, it } from 'vitest';
import { CrossNamespaceError, IsolationConfigError } from '../../src/index.js';
import { createMockKeyspace, createMockRedis, rawClientOf, rawKeys, type MockKeyspace } from '../../src/testing/index.js';

const namespaces = ['mcp2', 'celery', 'journal'];

describe('a mock keyspace shared by several namespaces', () => {
  let keyspace: MockKeyspace;
  afterEach(() => keyspace.close());

  it('stores each namespace\'s keys under its prefix; rawKeys shows them as stored', async () => {
    keyspace = createMockKeyspace({ namespaces });
    await keyspace.client('mcp2').set('payload:1', 'p');
    await keyspace.client('celery').lpush('queue', 'task');
    await keyspace.client('journal').xadd('events', '1-1', 'type', 'created');
    expect(await keyspace.rawKeys()).toEqual(['celery:queue', 'journal:events', 'mcp2:payload:1']);
    expect(await keyspace.rawKeys('mcp2:*')).toEqual(['mcp2:payload:1']);
    expect(await keyspace.raw.get('mcp2:payload:1')).toBe('p');
  });

  it('one namespace cannot read, delete, rename or scan another\'s keys', async () => {
    keyspace = createMockKeyspace({ namespaces });
    const [mcp2, celery] = [keyspace.client('mcp2'), keyspace.client('celery')];
    await celery.set('task:1', 'queued');
    await expect(mcp2.get('celery:task:1')).rejects.toBeInstanceOf(CrossNamespaceError);
    await expect(mcp2.del('celery:task:1')).rejects.toMatchObject({ code: 'ERR_CROSS_NAMESPACE' });
    await expect(mcp2.rename('celery:task:1', 'stolen')).rejects.toMatchObject({ code: 'ERR_CROSS_NAMESPACE' });
    await expect(mcp2.keys('celery:*')).rejects.toMatchObject({ code: 'ERR_CROSS_NAMESPACE' });
    // Without naming the other namespace, a key is the own namespace's: celery's key is out of reach.
    expect(await mcp2.get('task:1')).toBeNull();
    expect(await mcp2.del('task:1')).toBe(0);
    expect(await mcp2.keys('*')).toEqual([]);
    expect(await mcp2.scan(0)).toEqual(['0', []]);
    expect(await keyspace.rawKeys()).toEqual(['celery:task:1']);
  });

  it('keyspaces are independent of each other', async () => {
    keyspace = createMockKeyspace({ namespaces });
    const other = createMockKeyspace({ namespaces });
    await keyspace.client('mcp2').set('a', '1');
    expect(await other.rawKeys()).toEqual([]);
    await other.close();
  });

  it('a client of a namespace the keyspace does not list still gets its own prefix', async () => {
    keyspace = createMockKeyspace({ namespaces: ['mcp2'] });
    await keyspace.client('audit').set('a', '1');
    expect(await keyspace.rawKeys()).toEqual(['audit:a']);
    await expect(keyspace.client('audit').get('mcp2:x')).rejects.toBeInstanceOf(CrossNamespaceError);
  });

  it('flush() empties every namespace', async () => {
    keyspace = createMockKeyspace({ namespaces });
    await keyspace.client('mcp2').set('a', '1');
    await keyspace.client('celery').set('b', '1');
    await keyspace.flush();
    expect(await keyspace.rawKeys()).toEqual([]);
  });

  it('refuses namespace options given to client()', () => {
    keyspace = createMockKeyspace({ namespaces });
    expect(() => keyspace.client('mcp2', { namespace: 'x' } as never)).toThrow(IsolationConfigError);
  });
});

describe('createMockRedis', () => {
  it('is an isolated client over a fresh keyspace; rawKeys and rawClientOf show what was stored', async () => {
    const redis = createMockRedis({ namespace: 'mcp2', namespaces: ['mcp2', 'celery'] });
    const other = createMockRedis({ namespace: 'mcp2' });
    await redis.set('payload:1', 'data');
    expect(await rawKeys(redis)).toEqual(['mcp2:payload:1']);
    expect(await rawKeys(other)).toEqual([]);
    await rawClientOf(redis).set('celery:task:1', 'queued');
    await expect(redis.get('celery:task:1')).rejects.toMatchObject({ code: 'ERR_CROSS_NAMESPACE' });
    expect(redis.isolation).toMatchObject({ namespace: 'mcp2', prefix: 'mcp2:', mode: 'prefix' });
  });

  it('strict mode and the other guard options pass through', async () => {
    const redis = createMockRedis({ namespace: 'mcp2', mode: 'strict' });
    await redis.set('mcp2:a', '1');
    await expect(redis.set('a', '1')).rejects.toMatchObject({ code: 'ERR_UNPREFIXED_KEY' });
    const tagged = createMockRedis({ namespace: 'mcp2', hashTag: true });
    await tagged.set('a', '1');
    expect(await rawKeys(tagged)).toEqual(['{mcp2}:a']);
  });

  it('rawKeys refuses anything but an isolated mock client', async () => {
    await expect(rawKeys({})).rejects.toBeInstanceOf(IsolationConfigError);
  });
});

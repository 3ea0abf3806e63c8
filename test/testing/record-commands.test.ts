import { describe, expect, it } from 'vitest';
import { CrossNamespaceError, IsolationConfigError, MockUnsupportedCommandError } from '../../src/index.js';
import { assertNoRefusals, createMockKeyspace, createMockRedis, recordCommands, UnexpectedRefusalError } from '../../src/testing/index.js';

describe('recordCommands', () => {
  it('records each command as written and as sent, with refusals and pipelined commands', async () => {
    const redis = createMockRedis({ namespace: 'mcp2', namespaces: ['mcp2', 'celery'] });
    const recording = recordCommands(redis);
    await redis.set('payload:1', 'data');
    await redis.hset('h', { f: 'v' });
    await redis.get('celery:x').catch(() => undefined);
    await redis.pipeline().incr('n').keys('*').exec();
    expect(recording.commands.map(({ command, args, sent, pipelined }) => ({ command, args, sent, pipelined }))).toEqual([
      { command: 'set', args: ['payload:1', 'data'], sent: ['mcp2:payload:1', 'data'], pipelined: false },
      { command: 'hset', args: ['h', 'f', 'v'], sent: ['mcp2:h', 'f', 'v'], pipelined: false },
      { command: 'get', args: ['celery:x'], sent: undefined, pipelined: false },
      { command: 'incr', args: ['n'], sent: ['mcp2:n'], pipelined: true },
      { command: 'keys', args: ['*'], sent: ['mcp2:*'], pipelined: true },
    ]);
    expect(recording.commands[2]?.error).toBeInstanceOf(CrossNamespaceError);
    expect(recording.refusals.map((refusal) => refusal.code)).toEqual(['ERR_CROSS_NAMESPACE']);
    expect(recording.commands.every(({ namespace }) => namespace === 'mcp2')).toBe(true);
  });

  it('records nothing as sent for a pipeline refused as a whole', async () => {
    const redis = createMockRedis({ namespace: 'mcp2', namespaces: ['mcp2', 'celery'] });
    const recording = recordCommands(redis);
    await redis.pipeline().set('k', '1').get('celery:x').exec().catch(() => undefined);
    // The refused command is reported when the guard refuses it, the one held back when the batch is.
    expect(recording.commands.map(({ command, sent }) => ({ command, sent }))).toEqual([
      { command: 'get', sent: undefined },
      { command: 'set', sent: undefined },
    ]);
    expect(recording.commands.map(({ error }) => error)).toEqual([expect.any(CrossNamespaceError), expect.any(CrossNamespaceError)]);
    expect(recording.refusals).toHaveLength(1);
    expect(await redis.exists('k')).toBe(0);
  });

  it('records duplicates and several clients; clear() forgets, stop() stops', async () => {
    const keyspace = createMockKeyspace({ namespaces: ['mcp2', 'celery'] });
    const [mcp2, celery] = [keyspace.client('mcp2'), keyspace.client('celery')];
    const recording = recordCommands(mcp2, celery);
    await mcp2.duplicate().set('a', '1');
    await celery.set('b', '1');
    expect(recording.commands.map(({ namespace, sent }) => [namespace, sent])).toEqual([
      ['mcp2', ['mcp2:a', '1']],
      ['celery', ['celery:b', '1']],
    ]);
    recording.clear();
    expect(recording.commands).toEqual([]);
    recording.stop();
    await mcp2.set('c', '1');
    expect(recording.commands).toEqual([]);
    await keyspace.close();
  });

  it('a command the mock cannot run is recorded with its error, and is not a refusal', async () => {
    const redis = createMockRedis({ namespace: 'mcp2' });
    const recording = recordCommands(redis);
    await redis.sort('l').catch(() => undefined);
    expect(recording.commands[0]?.error).toBeInstanceOf(MockUnsupportedCommandError);
    expect(recording.refusals).toEqual([]);
    expect(() => assertNoRefusals(recording)).not.toThrow();
  });

  it('only records isolated mock clients', () => {
    expect(() => recordCommands({})).toThrow(IsolationConfigError);
  });
});

describe('assertNoRefusals', () => {
  it('throws UnexpectedRefusalError naming a refusal the code swallowed', async () => {
    const redis = createMockRedis({ namespace: 'mcp2', namespaces: ['mcp2', 'celery'] });
    const recording = recordCommands(redis);
    await redis.set('ok', '1');
    expect(() => assertNoRefusals(recording)).not.toThrow();
    // A service that catches errors and carries on: the refusal would go unnoticed.
    await redis.get('celery:task:1').catch(() => null);
    const error = (() => {
      try {
        assertNoRefusals(recording);
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UnexpectedRefusalError);
    expect(error).toMatchObject({ code: 'ERR_UNEXPECTED_REFUSAL' });
    expect((error as UnexpectedRefusalError).refusals).toHaveLength(1);
    expect((error as Error).message).toMatch(/refused 1 command:\n {2}ERR_CROSS_NAMESPACE \(mcp2, get\): GET: the key "celery:task:1"/);
  });
});

import { describe, expect, it } from 'vitest';
import { CONNECTION_SCOPE_REASONS, connectionScope, connectionScopeReason, createGuard } from '../../src/index.js';

describe('connectionScope: what a command needs of the connection it is sent on', () => {
  it.each([
    ['GET', ['k'], 'shared'],
    ['blpop', ['q', '0'], 'blocking'],
    ['BZMPOP', ['1', '1', 'z', 'MIN'], 'blocking'],
    ['xread', ['COUNT', '1', 'STREAMS', 's', '0'], 'shared'],
    ['XREAD', ['BLOCK', '100', 'STREAMS', 's', '$'], 'blocking'],
    ['xreadgroup', ['GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'], 'blocking'],
    ['watch', ['k'], 'watch'],
    ['UNWATCH', [], 'watch'],
    ['subscribe', ['news'], 'subscribe'],
    ['punsubscribe', [], 'subscribe'],
    ['multi', [], 'transaction'],
    ['Exec', [], 'transaction'],
    ['wait', ['1', '0'], 'session'],
    ['readonly', [], 'session'],
    ['client', ['TRACKING', 'on'], 'session'],
    ['CLIENT', ['setname', 'x'], 'session'],
    ['client', ['list'], 'shared'],
    ['client', ['id'], 'shared'],
    ['client', [], 'shared'],
    ['quit', [], 'close'],
  ] as const)('%s %j is %s', (name, args, scope) => {
    expect(connectionScope(name, args)).toBe(scope);
  });

  it('takes Buffer names and subcommands', () => {
    expect(connectionScope(Buffer.from('BLPOP'), ['q', '1'])).toBe('blocking');
    expect(connectionScope('client', [Buffer.from('caching'), 'yes'])).toBe('session');
  });

  it('gives every scoped command a reason, and the reason of the subcommand for CLIENT', () => {
    for (const { reason } of Object.values(CONNECTION_SCOPE_REASONS)) expect(reason.length).toBeGreaterThan(10);
    expect(connectionScopeReason('client', ['Tracking', 'on'])).toBe(CONNECTION_SCOPE_REASONS['client|tracking']?.reason);
    expect(connectionScopeReason('get', ['k'])).toBeUndefined();
  });
});

describe('connection names are the namespace\'s', () => {
  const guard = createGuard({ namespace: 'mcp2', namespaces: ['mcp2', 'celery'] });
  const strict = createGuard({ namespace: 'mcp2', namespaces: ['mcp2', 'celery'], mode: 'strict' });
  const list =
    'id=3 addr=127.0.0.1:50 laddr=127.0.0.1:6379 fd=8 name= age=1 cmd=client|list\n' +
    'id=4 addr=127.0.0.1:51 laddr=127.0.0.1:6379 fd=9 name=mcp2:bull:worker age=1 cmd=blpop\n' +
    'id=5 addr=127.0.0.1:52 laddr=127.0.0.1:6379 fd=10 name=celery:beat age=1 cmd=get\n';

  it('CLIENT SETNAME names the connection inside the namespace; another namespace\'s name is refused', () => {
    expect(guard.rewrite('client', ['SETNAME', 'bull:worker'])).toEqual(['SETNAME', 'mcp2:bull:worker']);
    expect(() => guard.rewrite('client', ['SETNAME', 'celery:beat'])).toThrow(/celery/);
    expect(strict.rewrite('client', ['SETNAME', 'mcp2:w'])).toEqual(['SETNAME', 'mcp2:w']);
    expect(() => strict.rewrite('client', ['SETNAME', 'w'])).toThrow(/does not start/);
  });

  it('tells a name (or a pattern) of the namespace from another\'s, strings and Buffers alike', () => {
    expect(guard.carriesPrefix('mcp2:news')).toBe(true);
    expect(guard.carriesPrefix(Buffer.from('mcp2:news'))).toBe(true);
    expect(guard.carriesPrefix('celery:news')).toBe(false);
    expect(guard.carriesPrefix(Buffer.from('mcp'))).toBe(false);
    expect(guard.carriesPrefix(42)).toBe(false);
    const starred = createGuard({ namespace: 'a', prefix: 'a*:' });
    expect(starred.carriesPrefix('a\\*:news.*', 'pattern')).toBe(true);
    expect(starred.carriesPrefix('a*:news.*', 'pattern')).toBe(false);
  });

  it('CLIENT LIST shows only the namespace\'s named connections, in both modes', () => {
    expect(guard.unprefixReply('client', ['LIST'], list)).toBe('id=4 addr=127.0.0.1:51 laddr=127.0.0.1:6379 fd=9 name=bull:worker age=1 cmd=blpop\n');
    expect(strict.unprefixReply('client', ['LIST'], list)).toBe('id=4 addr=127.0.0.1:51 laddr=127.0.0.1:6379 fd=9 name=mcp2:bull:worker age=1 cmd=blpop\n');
    expect(guard.unprefixReply('client', ['list'], Buffer.from(list))).toEqual(Buffer.from('id=4 addr=127.0.0.1:51 laddr=127.0.0.1:6379 fd=9 name=bull:worker age=1 cmd=blpop\n'));
  });

  it('CLIENT GETNAME and CLIENT INFO show a name only when it is the namespace\'s', () => {
    expect(guard.unprefixReply('client', ['GETNAME'], 'mcp2:w')).toBe('w');
    expect(guard.unprefixReply('client', ['GETNAME'], 'celery:beat')).toBeNull();
    expect(strict.unprefixReply('client', ['GETNAME'], 'celery:beat')).toBeNull();
    expect(guard.unprefixReply('client', ['GETNAME'], null)).toBeNull();
    expect(guard.unprefixReply('client', ['INFO'], 'id=5 name=celery:beat age=1\n')).toBe('id=5 name= age=1\n');
    expect(guard.unprefixReply('client', ['INFO'], 'id=4 name=mcp2:w age=1\n')).toBe('id=4 name=w age=1\n');
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CrossNamespaceError } from 'isolated-redis';
import { assertNoRefusals, createMockKeyspace, recordCommands, type CommandRecording, type MockKeyspace } from 'isolated-redis/testing';
import { PayloadStore } from './payload-store.js';

describe('PayloadStore', () => {
  let keyspace: MockKeyspace;
  let recording: CommandRecording;
  let store: PayloadStore;

  beforeEach(() => {
    // One in-memory Redis shared by every service of the deployment, as in production.
    keyspace = createMockKeyspace({ namespaces: ['mcp2', 'celery', 'journal'] });
    const redis = keyspace.client('mcp2');
    recording = recordCommands(redis);
    store = new PayloadStore(redis);
  });

  afterEach(async () => {
    // Fails the test if the guard refused anything, even an error the service swallowed.
    assertNoRefusals(recording);
    await keyspace.close();
  });

  it('stores payloads in the mcp2 namespace', async () => {
    await store.save('1', { ok: true });
    expect(await keyspace.rawKeys()).toEqual(['mcp2:payload:1']);
    expect(await store.load('1')).toEqual({ ok: true });
  });

  it('sends the commands we expect, with the prefix', async () => {
    await store.save('1', { ok: true }, 60);
    expect(recording.commands.map((command) => command.sent)).toEqual([['mcp2:payload:1', '{"ok":true}', 'EX', '60']]);
  });

  it('sees only its own payloads beside other services', async () => {
    await keyspace.client('celery').set('payload:9', 'not ours');
    await store.save('1', {});
    await store.save('2', {});
    expect(await store.ids()).toEqual(['1', '2']);
  });

  it('cannot read another service\'s keys', async () => {
    await keyspace.client('celery').set('task:1', 'queued');
    await expect(keyspace.client('mcp2').get('celery:task:1')).rejects.toBeInstanceOf(CrossNamespaceError);
  });
});

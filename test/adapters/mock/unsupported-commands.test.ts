import RedisMock from 'ioredis-mock';
import { list } from '@ioredis/commands';
import { describe, expect, it } from 'vitest';
import { MOCK_UNSUPPORTED_COMMANDS } from '../../../src/index.js';

/**
 * ioredis-mock defines every command it does not implement as a method that throws
 * "Unsupported command". The adapter's list must name exactly those of the command table, so
 * that a new mock release that implements (or drops) a command shows up here.
 */
describe('MOCK_UNSUPPORTED_COMMANDS', () => {
  const mock = new RedisMock({ host: 'unsupported-commands-test' });
  const isStub = (name: string): boolean => {
    const method = (mock as unknown as Record<string, unknown>)[name];
    return typeof method === 'function' && method.toString().includes('Unsupported command');
  };
  const tableCommands = list.filter((name) => !name.includes('|'));

  it('lists exactly the commands of the table that the installed ioredis-mock stubs out', () => {
    const stubbed = tableCommands.filter(isStub).sort();
    expect(stubbed.length).toBeGreaterThan(50);
    expect([...MOCK_UNSUPPORTED_COMMANDS].sort()).toEqual(stubbed);
  });

  it('leaves out no stubbed Buffer form', () => {
    const bufferStubs = tableCommands.filter((name) => isStub(`${name}Buffer`) && !isStub(name));
    // MULTI/EXEC/DISCARD are the view's own (refused on their own, framed by pipelines).
    expect(bufferStubs.sort()).toEqual(['exec', 'multi']);
  });
});

import { describe, expect, it } from 'vitest';
import { commandOfMethod } from '../../../src/cli/lint/command-methods.js';

describe('commandOfMethod', () => {
  it.each([
    ['get', ['get']],
    ['hset', ['hset']],
    ['hSet', ['hset']],
    ['zUnionStore', ['zunionstore']],
    ['getBuffer', ['get']],
    ['hgetallBuffer', ['hgetall']],
    ['xGroupCreate', ['xgroup', 'create']],
    ['objectEncoding', ['object', 'encoding']],
    ['configGet', ['config', 'get']],
    ['geoRadiusRo', ['georadius_ro']],
    ['evalRo', ['eval_ro']],
    ['flushDb', ['flushdb']],
    ['xgroup', ['xgroup']],
  ])('%s is %j', (method, command) => {
    expect(commandOfMethod(method)).toEqual(command);
  });

  it.each(['on', 'connect', 'duplicate', 'pipeline', 'multi', 'exec', 'sendCommand', 'call', 'frobnicate', 'then'])('%s is not a command method', (method) => {
    expect(commandOfMethod(method)).toBeUndefined();
  });
});

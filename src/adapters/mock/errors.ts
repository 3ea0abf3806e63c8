/**
 * ioredis-mock cannot run this command (a limit of the mock, not of the guard): the command
 * passed the namespace guard, but the mock has no implementation for it. Nothing was run.
 * Test that code path against a real Redis server instead.
 *
 * @example
 * ```ts
 * await redis.sort('ids').catch((err) => {
 *   if (err instanceof MockUnsupportedCommandError) console.log(err.code); // 'ERR_MOCK_UNSUPPORTED'
 * });
 * ```
 */
export class MockUnsupportedCommandError extends Error {
  readonly code = 'ERR_MOCK_UNSUPPORTED' as const;
  /** The command as Redis names it, lower case. */
  readonly command: string;
  /** The namespace of the client that refused it. */
  readonly namespace: string;

  /** The option the mock does not implement, when the command itself runs without it. */
  readonly option: string | undefined;

  constructor(command: string, namespace: string, option?: string) {
    const what = option === undefined ? `${command.toUpperCase()} cannot run on ioredis-mock: the mock does not implement it (see MOCK_UNSUPPORTED_COMMANDS)`
      : `${command.toUpperCase()} ... ${option} cannot run on ioredis-mock: the mock does not implement the ${option} option (see MOCK_UNSUPPORTED_OPTIONS)`;
    super(`${what}. It passed the guard of namespace "${namespace}"; test this code path against a real Redis server.`);
    this.name = 'MockUnsupportedCommandError';
    this.command = command;
    this.namespace = namespace;
    this.option = option;
  }
}

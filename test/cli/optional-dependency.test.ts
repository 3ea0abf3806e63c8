import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/errors.js';
import { loadOptional } from '../../src/cli/optional-dependency.js';

describe('optional peer dependencies', () => {
  it('load when installed', () => {
    expect(loadOptional<{ version: string }>('typescript', 'isolated-redis lint').version).toMatch(/^\d+\./);
  });

  it('fail with ERR_CLI_DEPENDENCY and the install command when missing', () => {
    const attempt = () => loadOptional('isolated-redis-no-such-package', 'isolated-redis lint');
    expect(attempt).toThrow(CliError);
    expect(attempt).toThrow('isolated-redis lint needs the isolated-redis-no-such-package package: npm install --save-dev isolated-redis-no-such-package');
    try {
      attempt();
    } catch (error) {
      expect((error as CliError).code).toBe('ERR_CLI_DEPENDENCY');
    }
  });
});

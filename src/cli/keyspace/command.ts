import { CliError } from '../errors.js';

/** `isolated-redis keyspace`: not implemented yet. */
export async function runKeyspaceCommand(): Promise<number> {
  throw new CliError('ERR_CLI_USAGE', 'keyspace is not implemented yet');
}

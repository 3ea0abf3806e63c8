/**
 * What the runbook's services share: their isolated client from the environment (REDIS_URL,
 * REDIS_NAMESPACE, ISOLATED_REDIS_NAMESPACES...), a `--once` mode that does one round of work and
 * exits (the tests run that), and otherwise a loop with a /healthz endpoint on PORT.
 */
import { createServer } from 'node:http';
import { isolatedRedisFromEnv, type Layout } from 'isolated-redis';

type Client = ReturnType<Layout['client']>;

export async function runService(name: string, work: (client: Client) => Promise<string>, everyMs = 1000): Promise<void> {
  const { client, layout } = isolatedRedisFromEnv();
  if (process.argv.includes('--once')) {
    console.log(`${name} ${client.isolation.namespace}: ${await work(client)}`);
    await layout.quit();
    return;
  }
  const server = createServer((request, response) => {
    response.writeHead(request.url === '/healthz' ? 200 : 404).end(request.url === '/healthz' ? 'ok\n' : '');
  }).listen(Number(process.env.PORT ?? 8080));
  const timer = setInterval(() => void work(client).catch((error: Error) => console.error(`${name}: ${error.message}`)), everyMs);
  const stop = (): void => {
    clearInterval(timer);
    server.close();
    void layout.quit();
  };
  process.once('SIGTERM', stop).once('SIGINT', stop);
}

/**
 * What the runbook's services share: their isolated client from the environment (REDIS_URL,
 * REDIS_NAMESPACE, ISOLATED_REDIS_NAMESPACES...), instrumented with the Prometheus hooks and a
 * command timeout; a `--once` mode that does one round of work, prints the service's own
 * metrics and exits (the tests run that); otherwise a loop with /healthz and /metrics on PORT,
 * which Prometheus scrapes (examples/runbook/prometheus.yml).
 */
import { createServer } from 'node:http';
import { Registry } from 'prom-client';
import { isolatedRedisFromEnv, type Layout } from 'isolated-redis';
import { createPrometheusHooks } from 'isolated-redis/prometheus';

type Client = ReturnType<Layout['client']>;

export async function runService(name: string, work: (client: Client) => Promise<string>, everyMs = 1000): Promise<void> {
  const registry = new Registry();
  const { client, layout } = isolatedRedisFromEnv(process.env, process.cwd(), {
    instrumentation: { hooks: createPrometheusHooks({ registry }), commandTimeoutMs: 2000 },
  });
  if (process.argv.includes('--once')) {
    console.log(`${name} ${client.isolation.namespace}: ${await work(client)}`);
    const commands = (await registry.getSingleMetricAsString('isolated_redis_command_duration_seconds'))
      .split('\n')
      .filter((line) => line.includes('_count{'));
    console.log(commands.join('\n'));
    await layout.quit();
    return;
  }
  const server = createServer((request, response) => {
    if (request.url === '/healthz') return void response.writeHead(200).end('ok\n');
    if (request.url !== '/metrics') return void response.writeHead(404).end();
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: Error) => response.writeHead(500).end(error.message),
    );
  }).listen(Number(process.env.PORT ?? 8080));
  const timer = setInterval(() => void work(client).catch((error: Error) => console.error(`${name}: ${error.message}`)), everyMs);
  const stop = (): void => {
    clearInterval(timer);
    server.close();
    void layout.quit();
  };
  process.once('SIGTERM', stop).once('SIGINT', stop);
}

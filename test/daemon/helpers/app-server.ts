/**
 * TEST HELPER: serves the real express app (buildApp) on 127.0.0.1 with an ephemeral port, the way
 * the server wiring does (node:http server + handleClientError), with a pino logger writing JSON
 * lines into an array the test can read.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry, Counter } from 'prom-client';
import { buildApp } from '../../../src/daemon/app.ts';
import type { AppDependencies } from '../../../src/daemon/app.ts';
import { handleClientError } from '../../../src/daemon/errors.ts';
import { MemorySupervisor } from './memory-supervisor.ts';

export interface AppServer {
  url: string;
  port: number;
  server: Server;
  supervisor: MemorySupervisor;
  registry: Registry;
  /** Parsed pino lines written so far. */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startAppServer(options: Partial<Omit<AppDependencies, 'logger' | 'registry' | 'supervisor'>> & { supervisor?: MemorySupervisor } = {}): Promise<AppServer> {
  const supervisor = options.supervisor ?? new MemorySupervisor();
  const registry = new Registry();
  new Counter({ name: 'plasticd_test_requests_total', help: 'A counter so /metrics has a known series.', registers: [registry] }).inc(3);
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const app = buildApp({ ...options, supervisor, registry, logger });
  const server = createServer(app);
  server.on('clientError', handleClientError);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    supervisor,
    registry,
    logs,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

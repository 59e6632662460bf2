/**
 * The shipped Kubernetes manifests and Dockerfile hang together (no cluster here, so this checks what
 * can be checked without one): every file is in the kustomization, selectors match labels, the worker's
 * arguments are ones `plasticd worker` accepts and point at the shipped Redis Service, the metrics port
 * is the one the Service and the ServiceMonitor name, the shared volume is ReadWriteMany, and a pod gets
 * more time to stop than the worker takes to hand its runs back.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO } from '../e2e/helpers/daemon.ts';
import { parseWorkerFlags, SHUTDOWN_SECONDS } from '../../src/queue/worker-command.ts';
import { parseRedisTarget } from '../../src/queue/redis-target.ts';

const DIR = join(REPO, 'deploy', 'kubernetes');
type Manifest = Record<string, any>;
const manifests: Manifest[] = readdirSync(DIR)
  .filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml')
  .flatMap((name) => parseAllDocuments(readFileSync(join(DIR, name), 'utf8')).map((doc) => doc.toJS() as Manifest));
const find = (kind: string, name: string) => {
  const found = manifests.find((m) => m.kind === kind && m.metadata?.name === name);
  assert.ok(found, `${kind} ${name} is shipped`);
  return found!;
};
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([key, value]) => labels[key] === value);

describe('deploy/kubernetes', () => {
  it('lists every manifest in its kustomization', () => {
    const kustomization = parseAllDocuments(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8'))[0]!.toJS() as { resources: string[] };
    const files = readdirSync(DIR).filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml').sort();
    assert.deepEqual([...kustomization.resources].sort(), files);
  });

  it('runs workers that plasticd accepts, on the shipped Redis and shared volume, with time to hand runs back', () => {
    const deployment = find('Deployment', 'plasticd-worker');
    const pod = deployment.spec.template;
    assert.ok(matches(deployment.spec.selector.matchLabels, pod.metadata.labels));
    const container = pod.spec.containers[0];
    assert.equal(container.args[0], 'worker');
    const flags = parseWorkerFlags(container.args.slice(1));
    const target = parseRedisTarget(flags.queue);
    const redisService = find('Service', String(target.connection.host));
    assert.equal(redisService.spec.ports[0].port, target.connection.port);
    assert.ok(matches(redisService.spec.selector, find('Deployment', 'plasticd-redis').spec.template.metadata.labels));
    assert.equal(flags.metricsHost, '0.0.0.0', 'metrics reachable from Prometheus');
    const port = container.ports.find((p: Manifest) => p.name === 'metrics');
    assert.equal(port.containerPort, flags.metricsPort);
    assert.equal(container.readinessProbe.httpGet.path, '/healthz');
    assert.ok(pod.spec.terminationGracePeriodSeconds > SHUTDOWN_SECONDS, 'Kubernetes waits longer than the worker takes to checkpoint and hand back');
    const claim = pod.spec.volumes.find((v: Manifest) => v.name === container.volumeMounts[0].name).persistentVolumeClaim.claimName;
    assert.deepEqual(find('PersistentVolumeClaim', claim).spec.accessModes, ['ReadWriteMany']);
  });

  it('exposes the metrics port to a ServiceMonitor through a headless Service', () => {
    const podLabels = find('Deployment', 'plasticd-worker').spec.template.metadata.labels;
    const service = find('Service', 'plasticd-worker');
    assert.equal(service.spec.clusterIP, 'None');
    assert.ok(matches(service.spec.selector, podLabels));
    assert.deepEqual(service.spec.ports.map((p: Manifest) => [p.name, p.targetPort]), [['metrics', 'metrics']]);
    const monitor = find('ServiceMonitor', 'plasticd-worker');
    assert.equal(monitor.apiVersion, 'monitoring.coreos.com/v1');
    assert.ok(matches(monitor.spec.selector.matchLabels, service.metadata.labels));
    assert.deepEqual(monitor.spec.endpoints.map((e: Manifest) => [e.port, e.path]), [['metrics', '/metrics']]);
  });

  it('builds the image the manifests name from the Dockerfile, entering the CLI', () => {
    const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
    const entry = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(dockerfile)![1]!) as string[];
    assert.ok(existsSync(join(REPO, entry.at(-1)!)), 'the entry point exists');
    const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal(find('Deployment', 'plasticd-worker').spec.template.spec.containers[0].image, `plasticd:${version}`);
  });
});

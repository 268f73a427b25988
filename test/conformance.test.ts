import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { loadSpecFiles, synthesizeApp, synthesizeDocuments } from '../src/engine/synth';
import { CRD_DIR, ROOT, appSpec, crdSchemas, ofKind, schemaProblems } from './util';

const DIST = path.join(ROOT, 'dist');

function distObjects(): Array<{ file: string; obj: any }> {
  const out: Array<{ file: string; obj: any }> = [];
  for (const rel of (fs.readdirSync(DIST, { recursive: true }) as string[]).sort()) {
    if (!rel.endsWith('.yaml') || rel.endsWith('kustomization.yaml')) continue;
    for (const obj of yaml.loadAll(fs.readFileSync(path.join(DIST, rel), 'utf8')) as any[]) out.push({ file: rel, obj });
  }
  return out;
}

/** Scenario specs beyond examples/: every optional feature switched on at least once. */
const SCENARIOS = {
  'cert-manager reencrypt with a CA file': appSpec({
    ports: [{ name: 'https', port: 8443, protocol: 'https' }],
    tls: { source: 'certManager', issuer: { name: 'internal-ca', kind: 'ClusterIssuer' } },
    route: { host: 'web.apps.example.com', termination: 'reencrypt', destinationCA: { file: 'test/fixtures/ca.pem' }, certificate: { certManager: { issuer: { name: 'letsencrypt', kind: 'ClusterIssuer' } } } },
  }),
  'route extras': appSpec({
    replicas: 1,
    route: { host: 'web.apps.example.com', termination: 'edge', weight: 80, alternateBackends: [{ name: 'web-canary', weight: 20 }], allowedSourceRanges: ['203.0.113.0/24'], shardLabels: { shard: 'internal' }, wildcardPolicy: 'Subdomain' },
  }),
  'tcp mesh': appSpec({ ports: [{ name: 'postgres', port: 5432, protocol: 'tcp' }], mesh: { allow: [{ from: [{ serviceAccount: 'api', namespace: 'shop' }] }] } }),
  'grpc with ingress': appSpec({ ports: [{ name: 'grpc', port: 9090, protocol: 'grpc' }], ingress: { host: 'grpc.example.com', tlsSecretName: 'grpc-tls' }, networkPolicy: false }),
  'ip range ingress': appSpec({ mesh: { ingress: { from: [{ ipRange: '10.128.0.0/14' }] } } }),
} as const;

describe('schema conformance', () => {
  test('the upstream CRD files are present', () => {
    expect(fs.existsSync(CRD_DIR)).toBe(true);
    expect([...crdSchemas().keys()].sort()).toEqual(expect.arrayContaining([
      'access.smi-spec.io/v1alpha3/TrafficTarget',
      'cert-manager.io/v1/Certificate',
      'policy.openservicemesh.io/v1alpha1/IngressBackend',
      'route.openshift.io/v1/Route',
      'specs.smi-spec.io/v1alpha4/HTTPRouteGroup',
    ]));
  });

  test('every object in dist/ is valid against its upstream schema', () => {
    const objects = distObjects();
    expect(objects.length).toBeGreaterThan(20);
    expect(objects.flatMap(({ file, obj }) => schemaProblems(obj).map((p) => `${file}: ${p}`))).toEqual([]);
  });

  test.each(Object.entries(SCENARIOS))('every object of the %s scenario is valid', (_name, spec) => {
    const objects = synthesizeApp(spec, { baseDir: ROOT });
    expect(objects.flatMap(schemaProblems)).toEqual([]);
  });

  test('fails a Route with an unknown field (the check is strict)', () => {
    const [route] = ofKind(synthesizeApp(appSpec({ route: { host: 'a.example.com' } })), 'Route');
    expect(schemaProblems({ ...route, spec: { ...route.spec, tls: { ...route.spec.tls, bogus: true } } }).join('\n')).toMatch(/must NOT have additional properties/);
  });

  test('fails a Deployment with a wrongly typed field', () => {
    const [d] = ofKind(synthesizeApp(appSpec()), 'Deployment');
    expect(schemaProblems({ ...d, spec: { ...d.spec, replicas: 'two' } }).join('\n')).toMatch(/replicas must be integer/);
  });
});

/** Pod Security Standards "restricted" and OpenShift restricted-v2, plus the platform's own rules. */
function podPolicyProblems(d: any, all: any[]): string[] {
  const out: string[] = [];
  const name = `${d.metadata.namespace}/${d.metadata.name}`;
  const pod = d.spec.template.spec;
  if (pod.securityContext?.runAsNonRoot !== true) out.push(`${name}: pod runAsNonRoot must be true`);
  if (pod.securityContext?.seccompProfile?.type !== 'RuntimeDefault') out.push(`${name}: pod seccompProfile must be RuntimeDefault`);
  if (pod.securityContext?.runAsUser !== undefined || pod.securityContext?.fsGroup !== undefined) out.push(`${name}: restricted-v2 assigns the UID and fsGroup`);
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) out.push(`${name}: host namespaces are not allowed`);
  for (const v of pod.volumes ?? []) {
    if (!['emptyDir', 'secret', 'configMap', 'projected', 'persistentVolumeClaim', 'downwardAPI', 'ephemeral', 'csi'].some((k) => k in v)) out.push(`${name}: volume ${v.name} type not allowed`);
  }
  for (const c of pod.containers) {
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false) out.push(`${name}/${c.name}: allowPrivilegeEscalation must be false`);
    if (JSON.stringify(sc.capabilities?.drop) !== '["ALL"]' || sc.capabilities?.add) out.push(`${name}/${c.name}: capabilities must drop ALL and add none`);
    if (sc.runAsUser !== undefined || sc.privileged) out.push(`${name}/${c.name}: no fixed UID, not privileged`);
    if (sc.readOnlyRootFilesystem !== true) out.push(`${name}/${c.name}: root filesystem must be read-only`);
    if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory) out.push(`${name}/${c.name}: cpu/memory requests and a memory limit are required`);
    if (!c.readinessProbe || !c.livenessProbe) out.push(`${name}/${c.name}: readiness and liveness probes are required`);
    else if (JSON.stringify(c.readinessProbe) === JSON.stringify(c.livenessProbe)) out.push(`${name}/${c.name}: readiness and liveness probes must differ`);
    if (!/(@sha256:|:(?!latest$)[^/:]+$)/.test(c.image)) out.push(`${name}/${c.name}: image ${c.image} is not pinned`);
    if (!c.volumeMounts?.some((m: any) => m.mountPath === '/tmp')) out.push(`${name}/${c.name}: a writable /tmp is expected with a read-only root`);
  }
  const sameApp = (o: any) => o.metadata.namespace === d.metadata.namespace && JSON.stringify(o.spec?.selector?.matchLabels ?? o.spec?.podSelector?.matchLabels) === JSON.stringify(d.spec.selector.matchLabels);
  if (d.spec.replicas >= 2 && !all.some((o) => o.kind === 'PodDisruptionBudget' && sameApp(o))) out.push(`${name}: replicas >= 2 needs a PodDisruptionBudget`);
  return out;
}

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

describe('kustomize', () => {
  const envs = fs.readdirSync(DIST).sort();

  test.each(envs)('dist/%s/kustomization.yaml lists exactly the manifests in the folder', (env) => {
    const k = yaml.load(fs.readFileSync(path.join(DIST, env, 'kustomization.yaml'), 'utf8')) as any;
    const files = (fs.readdirSync(path.join(DIST, env), { recursive: true }) as string[])
      .map((f) => f.split(path.sep).join('/')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
    expect(k).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: files });
  });

  (kubectl ? test.each(envs) : test.skip.each(envs))('kubectl kustomize builds dist/%s with every object', (env) => {
    const built = spawnSync('kubectl', ['kustomize', path.join(DIST, env)], { encoding: 'utf8' });
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    const count = distObjects().filter((o) => o.file.startsWith(`${env}${path.sep}`)).length;
    expect((yaml.loadAll(built.stdout) as any[]).length).toBe(count);
  });
});

describe('secure by default', () => {
  const objects = distObjects().map((o) => o.obj);

  test('every Deployment in dist/ passes the restricted / restricted-v2 policy', () => {
    const deployments = ofKind(objects, 'Deployment');
    expect(deployments.length).toBeGreaterThanOrEqual(6);
    expect(deployments.flatMap((d) => podPolicyProblems(d, objects))).toEqual([]);
  });

  test('every app in dist/ has a default-deny NetworkPolicy', () => {
    for (const d of ofKind(objects, 'Deployment')) {
      expect(ofKind(objects, 'NetworkPolicy')).toContainEqual(expect.objectContaining({
        metadata: expect.objectContaining({ name: `${d.metadata.name}-default-deny`, namespace: d.metadata.namespace }),
        spec: { podSelector: { matchLabels: d.spec.selector.matchLabels }, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] },
      }));
    }
  });

  test('fails the policy for a Deployment that runs as a fixed UID with escalation', () => {
    const [d] = ofKind(synthesizeApp(appSpec({ replicas: 1 })), 'Deployment');
    const bad = JSON.parse(JSON.stringify(d));
    bad.spec.template.spec.securityContext.runAsUser = 0;
    bad.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    expect(podPolicyProblems(bad, [])).toEqual([
      'shop/web: restricted-v2 assigns the UID and fsGroup',
      'shop/web/web: allowPrivilegeEscalation must be false',
    ]);
  });

  test('no file in dist/ contains PEM private key material', () => {
    for (const rel of fs.readdirSync(DIST, { recursive: true }) as string[]) {
      const full = path.join(DIST, rel);
      if (fs.statSync(full).isFile()) expect(fs.readFileSync(full, 'utf8')).not.toMatch(/PRIVATE KEY/);
    }
  });

  test('an inline key reaches the output only with allowInlineKeys', () => {
    const inline = { certificateFile: 'test/fixtures/route.crt.pem', keyFile: 'test/fixtures/route.key.pem' };
    const refused = synthesizeDocuments([{ file: path.join(ROOT, 'inline.yaml'), index: 0, doc: appSpec({ route: { certificate: { inline } } }) }]);
    expect(refused.issues.map((i) => i.field)).toEqual(['spec.route.certificate.inline']);
    const allowed = synthesizeApp(appSpec({ route: { certificate: { inline, allowInlineKeys: true } } }), { baseDir: ROOT });
    expect(ofKind(allowed, 'Route')[0].spec.tls.key).toMatch(/PRIVATE KEY/);
  });

  test('specs in examples/ all load', () => {
    expect(loadSpecFiles([path.join(ROOT, 'examples')]).issues).toEqual([]);
  });
});

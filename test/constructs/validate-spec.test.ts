import * as path from 'node:path';
import { directoryOfUsableApps, usableByOthers, validateAppSpec } from '../../src/constructs/validate-spec';
import { AppDirectory } from '../../src/spec/app-directory';
import { ROOT, appSpec } from '../util';

const problems = (doc: unknown) => validateAppSpec(doc, { baseDir: ROOT });
const fields = (doc: unknown) => problems(doc).map((p) => p.field);
const base = appSpec();
const https = { ports: [{ name: 'https', port: 8443, protocol: 'https' as const }], tls: { source: 'serviceCA' as const } };

describe('validateAppSpec', () => {
  test('accepts the minimal spec', () => {
    expect(problems(base)).toEqual([]);
  });

  describe('shape (JSON Schema)', () => {
    test('fails an unknown field, naming it and the allowed fields', () => {
      const [p] = problems({ ...base, spec: { ...base.spec, replicass: 2 } });
      expect(p.field).toBe('spec.replicass');
      expect(p.message).toMatch(/^unknown field "replicass"; allowed fields: .*replicas/);
    });
    test('fails a missing required field', () => {
      const { image: _image, ...spec } = base.spec;
      expect(problems({ ...base, spec })).toEqual([{ field: 'spec.image', message: 'is required' }]);
    });
    test('fails a wrong type and a value outside an enum', () => {
      expect(problems({ ...base, spec: { ...base.spec, replicas: 'two', ports: [{ name: 'http', port: 80, protocol: 'HTTP' }] } })).toEqual([
        { field: 'spec.replicas', message: '"two" is not an integer' },
        { field: 'spec.ports[0].protocol', message: '"HTTP" is not allowed; use one of "http", "https", "grpc", "grpcs", "tcp", "tcp-server-first"' },
      ]);
    });
    test('fails a string where an integer is required with "not an integer", wherever the number is', () => {
      expect(problems(appSpec({ ports: [{ name: 'http', port: '8080' as any }], probes: { readiness: { tcpSocket: { port: 8080 }, periodSeconds: 'often' as any } } }))).toEqual([
        { field: 'spec.probes.readiness.periodSeconds', message: '"often" is not an integer' },
        { field: 'spec.ports[0].port', message: '"8080" is not an integer' },
      ]);
    });
    test('fails a quantity written as a YAML number, telling to quote it', () => {
      expect(problems(appSpec({ resources: { requests: { cpu: 1 as any } } }))).toEqual([
        { field: 'spec.resources.requests.cpu', message: '1 is not a string: write quantities as strings, e.g. "1"' },
      ]);
    });
  });

  describe('documents that are not ours', () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2, template: {} } };
    test('fails a Kubernetes manifest with one problem naming its apiVersion and kind', () => {
      expect(problems(deployment)).toEqual([{
        field: '',
        message: 'not a cdk8s-zerotrust App or Cluster (apiVersion "apps/v1", kind "Deployment"): a spec document has apiVersion "cdk8s-zerotrust/v1alpha1" and kind "App" or "Cluster"; Kubernetes manifests do not belong among the specs',
      }]);
    });
    test('fails a wrong apiVersion or kind alone with one problem saying what it must be', () => {
      expect(problems({ ...base, apiVersion: 'cdk8s-zerotrust/v1' })).toEqual([
        { field: '', message: 'not a cdk8s-zerotrust App or Cluster (apiVersion "cdk8s-zerotrust/v1", kind "App"): apiVersion must be "cdk8s-zerotrust/v1alpha1"' },
      ]);
      expect(problems({ ...base, kind: 'Ap' })).toEqual([
        { field: '', message: 'not a cdk8s-zerotrust App or Cluster (apiVersion "cdk8s-zerotrust/v1alpha1", kind "Ap"): kind must be "App" or "Cluster"' },
      ]);
      expect(problems({ apiVersion: 'v1', metadata: { name: 'x' } })).toEqual([
        { field: '', message: expect.stringMatching(/^not a cdk8s-zerotrust App or Cluster \(apiVersion "v1", kind not set\): apiVersion must be/) },
      ]);
    });
    test('fails a list, a string and a number as documents with one problem each', () => {
      expect(problems(['x'])).toEqual([{ field: '', message: 'not a cdk8s-zerotrust App or Cluster: the document is a list, not a mapping; a spec document has apiVersion "cdk8s-zerotrust/v1alpha1" and kind "App" or "Cluster"' }]);
      expect(problems('hello')[0].message).toMatch(/^not a cdk8s-zerotrust App or Cluster: the document is a string \("hello"\), not a mapping/);
      expect(problems(42)[0].message).toMatch(/the document is a number \(42\)/);
    });
    test('fails a document that contains itself (a YAML alias inside its own anchor) without looping', () => {
      const metadata: any = { name: 'web' };
      metadata.labels = metadata;
      expect(problems({ ...base, metadata })).toEqual([
        { field: 'metadata.labels', message: 'refers to a value that contains it (a YAML alias inside its own anchor): the document has no end; write the value out' },
      ]);
    });
    test('fails a self-reference inside a list with the field path through the list index', () => {
      const allow: any[] = [{ from: [] }];
      allow[0].from = allow;
      expect(problems({ ...base, spec: { ...base.spec, mesh: { allow } } })).toEqual([
        { field: 'spec.mesh.allow[0].from', message: 'refers to a value that contains it (a YAML alias inside its own anchor): the document has no end; write the value out' },
      ]);
    });
    test('fails a document nested deeper than 200 levels, naming where it passes the limit', () => {
      const deep: any = {};
      let at = deep;
      for (let i = 0; i < 250; i++) at = at.x = {};
      const [p] = problems({ ...base, spec: { ...base.spec, labels: deep } });
      expect(p.message).toBe('nests deeper than 200 levels');
      expect(p.field).toBe(['spec', 'labels', ...Array(199).fill('x')].join('.'));
    });
    test('shortens long values in messages', () => {
      const [p] = problems(appSpec({}, { name: 'x'.repeat(10_000) }));
      expect(p.field).toBe('metadata.name');
      expect(p.message.length).toBeLessThan(200);
      expect(p.message).toMatch(/^"x{70,}\.\.\." is 10000 characters/);
    });
  });

  describe('kubernetes names', () => {
    test.each([
      ['metadata.name', { ...base, metadata: { name: '1web' } }],
      ['metadata.name', { ...base, metadata: { name: 'x'.repeat(64) } }],
      ['metadata.namespace', { ...base, metadata: { name: 'web', namespace: 'Shop' } }],
      ['metadata.labels.bad key', { ...base, metadata: { name: 'web', labels: { 'bad key': 'x' } } }],
      ['metadata.labels.team', { ...base, metadata: { name: 'web', labels: { team: '-x' } } }],
      ['spec.serviceAccount', appSpec({ serviceAccount: 'Web_SA' })],
      ['spec.ports[0].name', appSpec({ ports: [{ name: 'http-metrics-port', port: 80 }] })],
      ['spec.ports[0].name', appSpec({ ports: [{ name: '8080', port: 80 }] })],
      ['spec.ports[0].port', appSpec({ ports: [{ name: 'http', port: 70000 }] })],
      ['spec.ports[1].name', appSpec({ ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }] })],
      ['spec.ports[1].port', appSpec({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80, targetPort: 81 }] })],
      ['spec.image', appSpec({ image: 'nginx' })],
      ['spec.image', appSpec({ image: 'nginx:latest' })],
      ['spec.env.1BAD', appSpec({ env: { '1BAD': 'x' } })],
    ])('fails %s', (field, doc) => {
      expect(fields(doc)).toContain(field);
    });
    test('passes good names, labels, ports and a digest-pinned image', () => {
      expect(problems({
        ...base,
        metadata: { name: 'web-2', namespace: 'shop-prod', labels: { 'example.com/team': 'payments', tier: 'web_1' } },
        spec: { ...base.spec, image: 'quay.io/acme/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', ports: [{ name: 'http-metrics', port: 9090 }, { name: 'h2', port: 8080, targetPort: 8081 }] },
      })).toEqual([]);
    });
  });

  describe('numbers', () => {
    test.each([
      ['spec.replicas', { replicas: -1 }, '-1 is not an integer from 0 to 2147483647'],
      ['spec.replicas', { replicas: 1.5 }, '1.5 is not an integer from 0 to 2147483647'],
      ['spec.probes.readiness.initialDelaySeconds', { probes: { readiness: { tcpSocket: { port: 8080 }, initialDelaySeconds: -5 } } }, '-5 is not an integer from 0 to 2147483647'],
      ['spec.probes.readiness.periodSeconds', { probes: { readiness: { tcpSocket: { port: 8080 }, periodSeconds: 2.5 } } }, '2.5 is not an integer from 0 to 2147483647'],
      ['spec.probes.readiness.timeoutSeconds', { probes: { readiness: { tcpSocket: { port: 8080 }, timeoutSeconds: 2 ** 31 } } }, '2147483648 is not an integer from 0 to 2147483647'],
      ['spec.probes.startup.terminationGracePeriodSeconds', { probes: { startup: { tcpSocket: { port: 8080 }, terminationGracePeriodSeconds: 0 } } }, '0 is not an integer from 1 to 9007199254740991'],
      ['spec.probes.liveness.successThreshold', { probes: { liveness: { tcpSocket: { port: 8080 }, successThreshold: 2 } } }, '2 is not allowed: a liveness probe succeeds after one success, so successThreshold must be 1'],
      ['spec.probes.readiness.grpc.port', { probes: { readiness: { grpc: { port: 70000 } } } }, 'port 70000 is not an integer from 1 to 65535'],
    ])('fails %s out of range', (field, spec, message) => {
      expect(problems(appSpec(spec as any))).toEqual([{ field, message }]);
    });
    test('passes probe numbers the API server accepts', () => {
      expect(problems(appSpec({ replicas: 0, probes: { readiness: { tcpSocket: { port: 8080 }, initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 2, successThreshold: 3, failureThreshold: 1 }, liveness: { grpc: { port: 8080 }, successThreshold: 1, terminationGracePeriodSeconds: 30 } } }))).toEqual([]);
    });
  });

  describe('resources (Kubernetes quantities)', () => {
    test('fails 512MB, naming the field, the value and the forms allowed', () => {
      expect(problems(appSpec({ resources: { limits: { memory: '512MB' } } }))).toEqual([{
        field: 'spec.resources.limits.memory',
        message: '"512MB" is not a Kubernetes quantity: a number with an optional suffix: Ki, Mi, Gi, Ti, Pi, Ei (powers of 1024), n, u, m, k, M, G, T, P, E (powers of 1000) or an exponent such as e6 (did you mean "512M" or "512Mi"?)',
      }]);
    });
    test('fails a memory limit below its request and a negative cpu request', () => {
      expect(problems(appSpec({ resources: { requests: { memory: '1Gi', cpu: '-1' }, limits: { memory: '1000Mi' } } }))).toEqual([
        { field: 'spec.resources.requests.cpu', message: '"-1" is negative; a request is 0 or more' },
        { field: 'spec.resources.requests.memory', message: '"1Gi" is more than the memory limit "1000Mi" (limits.memory); a request must be at most its limit' },
      ]);
    });
    test('fails an environment whose merged resources put a limit below the request', () => {
      const spec = appSpec({ resources: { requests: { memory: '256Mi' }, limits: { memory: '512Mi' } } });
      expect(problems(spec)).toEqual([]);
      expect(problems({ ...spec, spec: { ...spec.spec, resources: { requests: { memory: '256Mi' }, limits: { memory: '128Mi' } } } }).map((p) => p.field)).toEqual(['spec.resources.requests.memory']);
    });
    test('passes equal and exponent forms: 1 == 1000m, 1e9 <= 1Gi', () => {
      expect(problems(appSpec({ resources: { requests: { cpu: '1', memory: '1e9' }, limits: { cpu: '1000m', memory: '1Gi' } } }))).toEqual([]);
    });
  });

  describe('egress', () => {
    test('fails a destination named like an app that admits this one (both NetworkPolicies would be <app>-egress-to-<name>)', () => {
      const web = appSpec({ egress: { to: [{ name: 'api', ipRanges: ['10.0.0.0/8'], ports: [{ port: 443 }] }] } });
      const api = appSpec({ allow: [{ from: [{ app: 'web' }] }] }, { name: 'api' });
      expect(validateAppSpec(web, { baseDir: ROOT, directory: new AppDirectory([web, api]) })).toEqual([{
        field: 'spec.egress.to[0].name',
        message: 'destination name "api" is taken by the egress to app shop/api, which admits this app: both NetworkPolicies would be named web-egress-to-api; rename the destination',
      }]);
      expect(validateAppSpec(web, { baseDir: ROOT, directory: new AppDirectory([web]) })).toEqual([]);
    });
  });

  describe('apps other apps derive objects from', () => {
    test('usableByOthers: a valid shape, name, namespace, ServiceAccount and ports', () => {
      expect(usableByOthers(appSpec())).toBe(true);
      expect(usableByOthers(appSpec({ image: 'nginx' }))).toBe(true); // other problems do not matter to the others
      expect(usableByOthers(appSpec({ ports: true as any }))).toBe(false);
      expect(usableByOthers(appSpec({ ports: [{ name: 'http', port: -1 }] }))).toBe(false);
      expect(usableByOthers(appSpec({ serviceAccount: 'Bad_SA' }))).toBe(false);
      expect(usableByOthers(appSpec({}, { name: 'UPPER' }))).toBe(false);
      expect(usableByOthers({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: {} })).toBe(false);
    });
    test('a directory recorded as made of usable apps is trusted: its entries are not checked again (the pipeline\'s directory)', () => {
      const web = appSpec();
      const api = appSpec({ ports: [{ name: 'http', port: -1 }], allow: [{ from: [{ app: 'web' }] }] }, { name: 'api' });
      const derived = (directory: AppDirectory) => validateAppSpec(web, { baseDir: ROOT, directory }).map((p) => p.message);
      expect(derived(new AppDirectory([web, api]))).toEqual([expect.stringMatching(/^the objects of this app are derived in part from app "shop\/api"/)]);
      // Recorded, the same (wrong) entry is taken as usable: which is why only a directory of checked specs may be recorded.
      expect(derived(directoryOfUsableApps(new AppDirectory([web, api])))).toEqual([]);
      // The record belongs to that directory's entries, not to the specs: a new directory of the same specs is checked.
      expect(derived(new AppDirectory([web, api]))).toHaveLength(1);
    });
    test('fails an app whose egress derives from an app with a bad port, naming that app (not an internal error)', () => {
      const web = appSpec();
      const api = appSpec({ ports: [{ name: 'http', port: -1 }], allow: [{ from: [{ app: 'web' }] }] }, { name: 'api' });
      expect(validateAppSpec(web, { baseDir: ROOT, directory: new AppDirectory([web, api]) })).toEqual([{
        field: 'spec',
        message: 'the objects of this app are derived in part from app "shop/api", whose name, namespace, ServiceAccount or ports have errors (see its problems): fix it first',
      }]);
    });
  });

  describe('route', () => {
    test('fails a route without host whose generated host has a first label over 63 characters', () => {
      const name = 'a'.repeat(40);
      const found = problems(appSpec({ route: {} }, { name, namespace: 'b'.repeat(23) }));
      expect(found).toEqual([{
        field: 'spec.route.host',
        message: `no host: OpenShift generates "${name}-${'b'.repeat(23)}.<apps domain>", whose first label "<name>-<namespace>" is 64 characters, and refuses it (a DNS label has at most 63); set the host, or shorten metadata.name or metadata.namespace`,
      }]);
      expect(problems(appSpec({ route: {} }, { name, namespace: 'b'.repeat(22) }))).toEqual([expect.objectContaining({ warning: true })]);
      expect(problems(appSpec({ route: { host: 'web.apps.example.com' } }, { name, namespace: 'b'.repeat(23) }))).toEqual([]);
    });
    test('fails a key that does not match the certificate, naming both files', () => {
      const found = problems(appSpec({ route: { host: 'web.apps.example.com', certificate: { allowInlineKeys: true, inline: { certificateFile: 'test/fixtures/route.crt.pem', keyFile: 'test/fixtures/other.key.pem' } } } }));
      expect(found).toEqual([{
        field: 'spec.route.certificate.inline.keyFile',
        message: 'the key does not match the certificate: the key file "test/fixtures/other.key.pem" and the certificate file "test/fixtures/route.crt.pem" are not a pair (their public keys differ)',
      }]);
    });
    test.each([
      ['host too long', { host: `${'a'.repeat(64)}.example.com` }, 'spec.route.host', /at most 63/],
      ['uppercase host', { host: 'Web.example.com' }, 'spec.route.host', /lowercase/],
      ['host over 253 characters', { host: `${'a.'.repeat(127)}com` }, 'spec.route.host', /at most 253/],
      ['path without /', { path: 'api' }, 'spec.route.path', /must start with/],
      ['edge with a destination CA', { destinationCA: { file: 'test/fixtures/ca.pem' } }, 'spec.route.destinationCA', /only reencrypt/],
      ['two certificate sources', { certificate: { secretName: 'a', certManager: { issuer: { name: 'x' } } } }, 'spec.route.certificate', /exclusive/],
      ['Subdomain without a host', { wildcardPolicy: 'Subdomain' }, 'spec.route.wildcardPolicy', /needs a host/],
      ['weight over 256', { weight: 300 }, 'spec.route.weight', /0 to 256/],
      ['four alternate backends', { alternateBackends: [1, 2, 3, 4].map((i) => ({ name: `b${i}`, weight: 1 })) }, 'spec.route.alternateBackends', /at most 3/],
      ['alternate weight negative', { alternateBackends: [{ name: 'b', weight: -1 }] }, 'spec.route.alternateBackends[0].weight', /0 to 256/],
      ['unknown port', { port: 'admin' }, 'spec.route.port', /not in spec.ports; use one of "http"/],
      ['bad timeout', { timeout: 'soon' }, 'spec.route.timeout', /duration/],
      ['bad source range', { allowedSourceRanges: ['10.0.0.0/33'] }, 'spec.route.allowedSourceRanges[0]', /CIDR/],
      ['inline key without consent', { certificate: { inline: { certificateFile: 'test/fixtures/route.crt.pem', keyFile: 'test/fixtures/route.key.pem' } } }, 'spec.route.certificate.inline', /allowInlineKeys/],
      ['missing certificate file', { certificate: { allowInlineKeys: true, inline: { certificateFile: 'nope.pem', keyFile: 'test/fixtures/route.key.pem' } } }, 'spec.route.certificate.inline.certificateFile', /does not exist/],
      ['key file without a key', { certificate: { allowInlineKeys: true, inline: { certificateFile: 'test/fixtures/route.crt.pem', keyFile: 'test/fixtures/ca.pem' } } }, 'spec.route.certificate.inline.keyFile', /no PEM private key/],
    ])('fails an edge route with %s', (_name, route, field, message) => {
      const found = problems(appSpec({ route: route as any }));
      expect(found).toContainEqual({ field, message: expect.stringMatching(message) });
    });

    test.each([
      ['a path', { path: '/' }, 'spec.route.path', /passthrough routes cannot have a path/],
      ['a certificate', { certificate: { secretName: 'x' } }, 'spec.route.certificate', /passthrough routes cannot carry a certificate/],
      ['insecure Allow', { insecureEdgeTerminationPolicy: 'Allow' }, 'spec.route.insecureEdgeTerminationPolicy', /use one of "None", "Redirect"/],
      ['a destination CA', { destinationCA: { file: 'test/fixtures/ca.pem' } }, 'spec.route.destinationCA', /only reencrypt/],
      ['hsts', { hsts: { maxAge: 10 } }, 'spec.route.hsts', /edge or reencrypt/],
    ])('fails a passthrough route with %s', (_name, route, field, message) => {
      expect(problems(appSpec({ ...https, route: { termination: 'passthrough', ...route } as any }))).toContainEqual({ field, message: expect.stringMatching(message) });
    });

    test('fails passthrough on a plain http port and without tls', () => {
      expect(fields(appSpec({ route: { host: 'web.apps.example.com', termination: 'passthrough' } }))).toEqual(['spec.route.port', 'spec.tls']);
    });
    test('warns about a route without host (the router writes one: GitOps drift)', () => {
      expect(problems(appSpec({ route: {} }))).toEqual([{ field: 'spec.route.host', message: expect.stringMatching(/^no host: the router generates one/), warning: true }]);
    });
    test('fails edge onto a cleartext gRPC port, with the way out', () => {
      expect(problems(appSpec({ ports: [{ name: 'grpc', port: 9090, protocol: 'grpc' }], route: { host: 'g.apps.example.com' } }))).toEqual([
        { field: 'spec.route.termination', message: expect.stringMatching(/cleartext gRPC \(h2c\) on port "grpc" cannot pass; serve gRPC over TLS \(protocol grpcs\)/) },
      ]);
    });
    test('fails a reencrypt route into a meshed port, naming bypassMesh and edge as ways out', () => {
      expect(problems(appSpec({ ...https, mesh: {}, route: { host: 'web.apps.example.com', termination: 'reencrypt' } }))).toEqual([
        { field: 'spec.route.termination', message: expect.stringMatching(/set spec.ports\[0\].bypassMesh: true .* or serve plain http on the port behind an edge route/) },
      ]);
      expect(problems(appSpec({ ...https, ports: [{ name: 'https', port: 8443, protocol: 'https', bypassMesh: true }], mesh: {}, route: { host: 'web.apps.example.com', termination: 'reencrypt' } }))).toEqual([]);
    });
    test('fails edge onto an https port', () => {
      expect(fields(appSpec({ ...https, route: { host: 'web.apps.example.com', termination: 'edge' } }))).toEqual(['spec.route.termination']);
    });
    test('fails reencrypt with a cert-manager pod certificate and no destination CA', () => {
      expect(fields(appSpec({ ...https, tls: { source: 'certManager', issuer: { name: 'ca' } }, route: { host: 'web.apps.example.com', termination: 'reencrypt' } }))).toEqual(['spec.route.destinationCA']);
    });
    test('passes each termination with its proper settings', () => {
      expect(problems(appSpec({ route: { host: 'web.apps.example.com', path: '/api', termination: 'edge', insecureEdgeTerminationPolicy: 'Allow', certificate: { secretName: 'web-cert' }, timeout: '30s', hsts: { maxAge: 1 }, allowedSourceRanges: ['10.0.0.0/8', 'fd00::/8'], alternateBackends: [{ name: 'a', weight: 0 }, { name: 'b', weight: 256 }, { name: 'c', weight: 1 }] } }))).toEqual([]);
      expect(problems(appSpec({ ...https, route: { host: 'web.apps.example.com', termination: 'reencrypt', destinationCA: 'serviceCA' } }))).toEqual([]);
      expect(problems(appSpec({ ...https, route: { host: 'web.apps.example.com', termination: 'passthrough', insecureEdgeTerminationPolicy: 'None' } }))).toEqual([]);
      expect(problems(appSpec({ route: { host: '*.apps.example.com'.slice(2), wildcardPolicy: 'Subdomain', termination: 'none' } }))).toEqual([]);
      expect(problems(appSpec({ route: { host: 'web.apps.example.com', certificate: { allowInlineKeys: true, inline: { certificateFile: 'test/fixtures/route.crt.pem', keyFile: 'test/fixtures/route.key.pem', caCertificateFile: 'test/fixtures/ca.pem' } } } }))).toEqual([]);
    });
  });

  describe('mesh ingress (IngressBackend)', () => {
    test.each([
      ['a source of two kinds', { from: [{ principal: 'a.b.cluster.local', ipRange: '10.0.0.0/8' }] }, 'spec.mesh.ingress.from[0]', /exactly one of/],
      ['a Service source without a namespace', { from: [{ service: { name: 'nginx' } }] }, 'spec.mesh.ingress.from[0].service.namespace', /is required/],
      ['an invalid CIDR', { from: [{ ipRange: '10.0.0.300/8' }] }, 'spec.mesh.ingress.from[0].ipRange', /not a CIDR/],
      ['mtls without a principal', { mtls: true, from: [{ service: { name: 'nginx', namespace: 'ingress' } }] }, 'spec.mesh.ingress.from', /add a principal source/],
      ['an unknown port', { port: 'admin', from: [{ ipRange: '10.0.0.0/8' }] }, 'spec.mesh.ingress.port', /not in spec.ports/],
      ['no sources', { from: [] }, 'spec.mesh.ingress.from', /at least one source/],
    ])('fails %s', (_name, ingress, field, message) => {
      expect(problems(appSpec({ mesh: { ingress: ingress as any } }))).toContainEqual({ field, message: expect.stringMatching(message) });
    });
    test('passes http from a Service and mtls with a principal', () => {
      expect(problems(appSpec({ mesh: { ingress: { from: [{ service: { name: 'nginx', namespace: 'ingress' } }, { ipRange: '10.128.0.0/14' }] } } }))).toEqual([]);
      expect(problems(appSpec({ mesh: { ingress: { mtls: true, from: [{ principal: 'nginx.ingress.cluster.local' }] } } }))).toEqual([]);
    });
  });

  describe('mesh allow (SMI)', () => {
    const allow = (a: object) => appSpec({ mesh: { allow: [{ from: [{ serviceAccount: 'app1', namespace: 'shop' }], ...a } as any] } });
    test('fails a lowercase method, naming the allowed ones', () => {
      expect(problems(allow({ http: [{ name: 'gets', methods: ['get'] }] }))).toContainEqual({
        field: 'spec.mesh.allow[0].http[0].methods[0]',
        message: expect.stringMatching(/"get" is not allowed; use one of "\*", "GET"/),
      });
    });
    test('fails duplicate match names', () => {
      expect(fields(allow({ http: [{ name: 'a' }, { name: 'a' }] }))).toContain('spec.mesh.allow[0].http[1].name');
    });
    test('fails a source without a namespace', () => {
      expect(fields(appSpec({ mesh: { allow: [{ from: [{ serviceAccount: 'app1' }] } as any] } }))).toContain('spec.mesh.allow[0].from[0].namespace');
    });
    test('fails two rules with the same name', () => {
      expect(fields(appSpec({ mesh: { allow: [{ from: [{ serviceAccount: 'a', namespace: 'x' }] }, { from: [{ serviceAccount: 'a', namespace: 'y' }] }] } }))).toContain('spec.mesh.allow[1].name');
    });
    test('fails an invalid path regex and http matches on a tcp-only app', () => {
      expect(fields(allow({ http: [{ name: 'a', pathRegex: '(' }] }))).toContain('spec.mesh.allow[0].http[0].pathRegex');
      expect(fields({ ...allow({ http: [{ name: 'a' }] }), spec: { ...allow({ http: [{ name: 'a' }] }).spec, ports: [{ name: 'pg', port: 5432, protocol: 'tcp' }] } })).toContain('spec.mesh.allow[0].http');
    });
    test('passes GET-only and all-method rules', () => {
      expect(problems(allow({ http: [{ name: 'gets', pathRegex: '/api/.*', methods: ['GET', 'HEAD'] }, { name: 'any', methods: ['*'] }] }))).toEqual([]);
    });
  });

  describe('tls, probes and ingress', () => {
    test('fails certManager without an issuer and an issuer without certManager', () => {
      expect(fields(appSpec({ tls: { source: 'certManager' } }))).toEqual(['spec.tls.issuer']);
      expect(fields(appSpec({ tls: { source: 'secret', issuer: { name: 'x' } } }))).toEqual(['spec.tls.issuer']);
    });
    test('fails a probe on an unknown named port and identical probes', () => {
      const probe = { httpGet: { path: '/', port: 'admin' } };
      expect(fields(appSpec({ probes: { readiness: probe, liveness: probe } }))).toEqual(['spec.probes.readiness.httpGet.port', 'spec.probes.liveness.httpGet.port', 'spec.probes.liveness']);
    });
    test('fails an ingress controller namespace that is not a DNS-1123 label', () => {
      expect(fields(appSpec({ ingress: { host: 'a.example.com', controllerNamespace: 'Ingress' } }))).toEqual(['spec.ingress.controllerNamespace']);
    });
    test('fails an ingress host with uppercase and a bad client cert secret', () => {
      expect(fields(appSpec({ ingress: { host: 'A.example.com', backendTls: { clientCertSecret: 'no-namespace' } }, ports: [{ name: 'https', port: 8443, protocol: 'https' }], tls: { source: 'serviceCA' } }))).toEqual(['spec.ingress.host', 'spec.ingress.backendTls.clientCertSecret']);
    });
    test('passes tls sources, probes by name and an ingress', () => {
      expect(problems(appSpec({
        tls: { source: 'certManager', issuer: { name: 'ca', kind: 'ClusterIssuer' } },
        probes: { readiness: { httpGet: { path: '/ready', port: 'http' } }, liveness: { tcpSocket: { port: 8080 }, periodSeconds: 20 } },
        ingress: { host: 'web.example.com', className: 'nginx' },
      }))).toEqual([]);
    });
  });

  test('reports every problem at once', () => {
    const found = problems(appSpec({ image: 'nginx', replicas: -1, ports: [{ name: 'HTTP', port: 0 }], route: { path: 'x' } }, { name: 'Web' }));
    expect(found.map((p) => p.field)).toEqual(expect.arrayContaining(['metadata.name', 'spec.image', 'spec.replicas', 'spec.ports[0].name', 'spec.ports[0].port', 'spec.route.path']));
    for (const p of found) expect(p.message).toMatch(/^[^A-Z]/);
  });

  test('reads files relative to baseDir', () => {
    const spec = appSpec({ ...https, route: { host: 'web.apps.example.com', termination: 'reencrypt', destinationCA: { file: 'ca.pem' } } });
    expect(validateAppSpec(spec, { baseDir: path.join(ROOT, 'test', 'fixtures') })).toEqual([]);
    expect(fields(spec)).toEqual(['spec.route.destinationCA.file']);
  });

  test('fails control characters and spaces in request paths and header values, naming the field', () => {
    expect(problems(appSpec({
      route: { host: 'web.apps.example.com', path: '/a b' },
      probes: { readiness: { httpGet: { path: '/health\u0007', port: 'http', httpHeaders: [{ name: 'X Bad', value: 'ok\r\nInjected: 1' }] } } },
    }))).toEqual([
      { field: 'spec.route.path', message: 'path "/a b" contains a space; percent-encode it (%20)' },
      { field: 'spec.probes.readiness.httpGet.path', message: 'path "/health\\u0007" contains the control character U+0007; percent-encode it (%07)' },
      { field: 'spec.probes.readiness.httpGet.httpHeaders[0].name', message: expect.stringMatching(/^header name "X Bad" is not an HTTP token/) },
      { field: 'spec.probes.readiness.httpGet.httpHeaders[0].value', message: expect.stringMatching(/^header value "ok\\r\\nInjected: 1" contains the control character U\+000D/) },
    ]);
  });
});

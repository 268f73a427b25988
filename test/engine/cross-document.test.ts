import * as yaml from 'js-yaml';
import type { AppSpec } from '../../src/spec/app-spec';
import { resolveEnvironment } from '../../src/engine/environments';
import { formatIssue } from '../../src/engine/issues';
import { SpecDocument, classifyDocuments } from '../../src/engine/load';
import { runPipeline } from '../../src/engine/pipeline';
import { RenderedFile, crossDocumentChecks, duplicateObjectIssues } from '../../src/engine/cross-document';
import { appSpec } from '../util';

const doc = (spec: AppSpec): SpecDocument => ({ file: `${spec.metadata.name}.yaml`, index: 0, doc: spec });
const app = (name: string, spec: Partial<AppSpec['spec']> = {}, metadata: Partial<AppSpec['metadata']> = {}) => doc(appSpec(spec, { name, ...metadata }));
const meshed = (name: string, mesh: AppSpec['spec']['mesh'], spec: Partial<AppSpec['spec']> = {}) => app(name, { mesh, ...spec });

/** The problems the pipeline reports for the documents: its duplicate check runs over the rendered output. */
function duplicates(...docs: SpecDocument[]): string[] {
  const result = runPipeline({ docs, issues: [] });
  const errors = result.issues.filter((i) => !i.warning).map(formatIssue);
  if (errors.length === 0) {
    // Nothing refused: the written files hold one object per (group, kind, namespace, name).
    const files: RenderedFile[] = [...result.files].filter(([f]) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
      .map(([path, text]) => ({ path, manifests: yaml.loadAll(text) as any[] }));
    expect(duplicateObjectIssues(files, resolveEnvironment(classifyDocuments(docs), undefined))).toEqual([]);
  }
  return errors;
}

describe('one object per (namespace, kind, name) across the output', () => {
  test('passes the objects of apps that share nothing, and a shared ServiceAccount written once', () => {
    expect(duplicates(app('web', { serviceAccount: 'shop' }), app('api', { serviceAccount: 'shop' }), app('db', {}, { namespace: 'data' }))).toEqual([]);
  });

  test('fails two apps whose mesh rules have one name in one namespace (TrafficTarget and HTTPRouteGroup), naming both specs', () => {
    const from = [{ serviceAccount: 'gateway', namespace: 'edge' }];
    expect(duplicates(
      meshed('web', { allow: [{ name: 'from-gateway', from }] }, { ownsNamespace: true }),
      meshed('api', { allow: [{ name: 'from-gateway', from }] }),
    )).toEqual([
      'web.yaml: web: spec.mesh.allow: writes HTTPRouteGroup shop/from-gateway, and api (api.yaml) writes it too, into shop/api.yaml: the output holds one object per namespace, kind and name (kubectl kustomize refuses two, the API server keeps the last applied); give the rule another name (spec.mesh.allow[].name; the default is <app>-from-<first caller ServiceAccount>)',
      'web.yaml: web: spec.mesh.allow: writes TrafficTarget shop/from-gateway, and api (api.yaml) writes it too, into shop/api.yaml: the output holds one object per namespace, kind and name (kubectl kustomize refuses two, the API server keeps the last applied); give the rule another name (spec.mesh.allow[].name; the default is <app>-from-<first caller ServiceAccount>)',
    ]);
  });

  test('fails two apps whose egress destinations give one Egress name (web + api-x, web-api + x)', () => {
    const to = (name: string) => ({ egress: { to: [{ name, hosts: ['api.example.com'], ports: [{ port: 443, protocol: 'https' as const }] }] } });
    expect(duplicates(meshed('web', {}, { ownsNamespace: true, ...to('api-x') }), meshed('web-api', {}, to('x')))).toEqual([
      expect.stringMatching(/^web\.yaml: web: spec\.egress\.to: writes Egress shop\/web-api-x, and web-api \(web-api\.yaml\) writes it too, into shop\/web-api\.yaml: .*rename the destination/),
    ]);
  });

  test('fails two apps giving one IngressBackend name (web reached on two ports: web-http; an app named web-http)', () => {
    const ports = [{ name: 'http', port: 8080 }, { name: 'admin', port: 9090 }];
    expect(duplicates(
      meshed('web', { ingress: { port: 'admin', from: [{ ipRange: '10.0.0.0/8' }] } }, { ownsNamespace: true, ports, route: { host: 'web.example.com' } }),
      meshed('web-http', {}, { route: { host: 'web-http.example.com' } }),
    )).toEqual([
      expect.stringMatching(/^web\.yaml: web: spec\.mesh: writes IngressBackend shop\/web-http, and web-http \(web-http\.yaml\) writes it too, into shop\/web-http\.yaml: /),
    ]);
  });

  test('fails an object written twice by one file, and keys by API group and namespace', () => {
    const resolved = resolveEnvironment(classifyDocuments([app('web')]), undefined);
    const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'x', namespace: 'shop' } };
    const files: RenderedFile[] = [
      { path: 'shop/web.yaml', manifests: [sa, { ...sa, metadata: { name: 'x', namespace: 'other' } }, { ...sa, apiVersion: 'example.com/v1' }, sa] },
      { path: 'cluster.yaml', manifests: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }] },
    ];
    expect(duplicateObjectIssues(files, resolved).map(formatIssue)).toEqual([
      expect.stringMatching(/^web\.yaml: web: spec\.serviceAccount: writes ServiceAccount shop\/x, and this app writes it twice: /),
      expect.stringMatching(/^-: -: metadata\.name: writes Namespace shop, and this app writes it twice: .*rename one of the two$/),
    ]);
  });
});

describe('crossDocumentChecks', () => {
  test('fails one app twice and two owners of one namespace', () => {
    const resolved = resolveEnvironment(classifyDocuments([app('web', { ownsNamespace: true }), app('web'), app('api', { ownsNamespace: true })]), undefined);
    expect(crossDocumentChecks(resolved).map(formatIssue)).toEqual([
      'web.yaml: web: metadata.name: app shop/web is also defined in web.yaml; (namespace, name) must be unique',
      'api.yaml: api: spec.ownsNamespace: namespace "shop" is already owned by web in web.yaml; one app per namespace may own it',
    ]);
  });
});

import * as fs from 'node:fs';
import type { V1Probe, V1ResourceRequirements } from '@kubernetes/client-node';
import { APP_SPEC_SCHEMA, validateAppSpec } from '../../src/constructs/validate-spec';
import { AppProbe, AppResources } from '../../src/spec/app-spec';
import { appSpec } from '../util';

/** Compile-time: `true` only when the two key sets are equal. */
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const gen = require('../../scripts/gen-schema.js');

describe('AppSpec JSON Schema', () => {
  test('schema/app-spec.schema.json is fresh (generated from src/spec/app-spec.ts)', () => {
    expect(fs.readFileSync(gen.out, 'utf8')).toBe(gen.generate());
  });

  test('schema/app-spec.validate.js is the compiled form of that schema', () => {
    expect(fs.readFileSync(gen.validatorOut, 'utf8')).toBe(gen.generateValidator(fs.readFileSync(gen.out, 'utf8')));
  });

  test('schema/cluster-spec.schema.json and its validator are fresh (generated from src/spec/cluster-spec.ts)', () => {
    const target = gen.TARGETS.find((t: any) => t.type === 'ClusterSpec');
    const schema = gen.generate(target);
    expect(fs.readFileSync(target.out, 'utf8')).toBe(schema);
    expect(fs.readFileSync(target.validatorOut, 'utf8')).toBe(gen.generateValidator(schema, target.base));
  });

  test('documents defaults for editors and pins apiVersion and kind', () => {
    const defs = (APP_SPEC_SCHEMA as any).definitions;
    expect(defs.AppSpec.properties.apiVersion).toMatchObject({ const: 'cdk8s-zerotrust/v1alpha1' });
    expect(defs.AppSpecBody.properties.replicas.default).toBe(2);
    expect(defs.AppRoute.properties.termination.default).toBe('edge');
    // prose defaults ("- none") become descriptions, not bogus values
    expect(JSON.stringify(APP_SPEC_SCHEMA)).not.toMatch(/"default":"- /);
  });

  test('probes and resources have the fields of @kubernetes/client-node V1Probe and V1ResourceRequirements', () => {
    // Type checks (ts-jest compiles this file): the same probe fields, values assignable both ways;
    // of the resource fields all but `claims` (DRA resource claims, which an app spec does not set).
    const sameProbeKeys: SameKeys<AppProbe, V1Probe> = true;
    const sameResourceKeys: SameKeys<AppResources, Omit<V1ResourceRequirements, 'claims'>> = true;
    const probe: AppProbe = { httpGet: { path: '/healthz', port: 'https', scheme: 'HTTPS', httpHeaders: [{ name: 'x', value: 'y' }] }, periodSeconds: 5 };
    const asClientNode: V1Probe = probe;
    const back: AppProbe = asClientNode;
    const resources: V1ResourceRequirements = { requests: { cpu: '100m' } } satisfies AppResources;
    expect([sameProbeKeys, sameResourceKeys, back, resources.requests]).toEqual([true, true, probe, { cpu: '100m' }]);
    // The JSON Schema has exactly those fields, so `claims` is refused rather than dropped.
    const defs = (APP_SPEC_SCHEMA as any).definitions;
    expect(Object.keys(defs.AppProbe.properties).sort()).toEqual(['exec', 'failureThreshold', 'grpc', 'httpGet', 'initialDelaySeconds', 'periodSeconds', 'successThreshold', 'tcpSocket', 'terminationGracePeriodSeconds', 'timeoutSeconds']);
    expect(validateAppSpec(appSpec({ resources: { claims: [{ name: 'gpu' }] } as any }))).toEqual([
      expect.objectContaining({ field: 'spec.resources.claims', message: expect.stringMatching(/^unknown field "claims"/) }),
    ]);
  });

  test('fails a document of another kind', () => {
    expect(validateAppSpec({ ...appSpec(), kind: 'Deployment' })).toEqual([
      { field: '', message: 'not a cdk8s-zerotrust App or Cluster (apiVersion "cdk8s-zerotrust/v1alpha1", kind "Deployment"): kind must be "App" or "Cluster"' },
    ]);
  });
});

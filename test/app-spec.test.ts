import * as fs from 'node:fs';
import { APP_SPEC_SCHEMA, validateAppSpec } from '../src';
import { appSpec } from './util';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const gen = require('../scripts/gen-schema.js');

describe('AppSpec JSON Schema', () => {
  test('schema/app-spec.schema.json is fresh (generated from src/app-spec.ts)', () => {
    expect(fs.readFileSync(gen.out, 'utf8')).toBe(gen.generate());
  });

  test('schema/app-spec.validate.js is the compiled form of that schema', () => {
    expect(fs.readFileSync(gen.validatorOut, 'utf8')).toBe(gen.generateValidator(fs.readFileSync(gen.out, 'utf8')));
  });

  test('documents defaults for editors and pins apiVersion and kind', () => {
    const defs = (APP_SPEC_SCHEMA as any).definitions;
    expect(defs.AppSpec.properties.apiVersion).toMatchObject({ const: 'cdk8s-zerotrust/v1alpha1' });
    expect(defs.AppSpecBody.properties.replicas.default).toBe(2);
    expect(defs.AppRoute.properties.termination.default).toBe('edge');
    // prose defaults ("- none") become descriptions, not bogus values
    expect(JSON.stringify(APP_SPEC_SCHEMA)).not.toMatch(/"default":"- /);
  });

  test('fails a document of another kind', () => {
    expect(validateAppSpec({ ...appSpec(), kind: 'Deployment' })).toEqual([{ field: 'kind', message: '"Deployment" is not allowed; use "App"' }]);
  });
});

#!/usr/bin/env node
// Generates schema/app-spec.schema.json (the JSON Schema of the YAML app spec) from the
// TypeScript AppSpec type in src/app-spec.ts. Run by `npm run schema`; a test checks it is fresh.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { createGenerator } = require('ts-json-schema-generator');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'schema', 'app-spec.schema.json');

function generate() {
  const schema = createGenerator({
    path: path.join(root, 'src', 'app-spec.ts'),
    tsconfig: path.join(root, 'tsconfig.json'),
    type: 'AppSpec',
    skipTypeCheck: true,
    additionalProperties: false,
    jsDoc: 'extended',
  }).createSchema('AppSpec');
  schema.$id = 'https://cdk8s-zerotrust.dev/schema/app-spec.schema.json';
  schema.title = 'cdk8s-zerotrust App';
  // @default texts such as "- none" are prose for people, not values: move them into the description.
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    if (typeof node.default === 'string' && /^- /.test(node.default)) {
      const note = `Default: ${node.default.slice(2)}.`;
      node.description = node.description ? `${node.description}\n${note}` : note;
      delete node.default;
    }
    Object.values(node).forEach(walk);
  };
  walk(schema);
  const app = schema.definitions.AppSpec;
  app.properties.apiVersion = { const: 'cdk8s-zerotrust/v1alpha1', description: app.properties.apiVersion.description };
  app.properties.kind = { const: 'App', description: app.properties.kind.description };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

module.exports = { generate, out };

if (require.main === module) {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, generate());
  console.log(`wrote ${path.relative(root, out)}`);
}

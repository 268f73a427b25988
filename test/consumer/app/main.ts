// A cdk8s app as a library user writes it (test/consumer/consumer.test.ts compiles and runs it in
// a `cdk8s init typescript-app` project against the packed package; README "Library" quotes it).
// Only the package's public API.
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { SecureApp } from 'cdk8s-zerotrust';

const app = new App();
const chart = new Chart(app, 'shop', { disableResourceNameHashes: true });

// One app from an AppSpec: ServiceAccount, restricted Deployment and PodDisruptionBudget, Service,
// Ingress and deny-by-default NetworkPolicies.
const web = new SecureApp(chart, 'web', {
  spec: {
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      image: 'quay.io/acme/web:1.4.2',
      ports: [{ name: 'http', port: 8080, protocol: 'http' }],
      ingress: { className: 'nginx', host: 'web.example.com' },
    },
  },
});

// cdk8s-plus-28 constructs of your own, in the same Chart.
const config = new kplus.ConfigMap(chart, 'worker-config', {
  metadata: { name: 'worker-config', namespace: 'shop' },
  data: { WEB_URL: `http://${web.name}.${web.namespace}.svc:8080` },
});
new kplus.Deployment(chart, 'worker', {
  metadata: { name: 'worker', namespace: 'shop' },
  replicas: 1,
  containers: [{
    image: 'quay.io/acme/worker:2.0.1',
    envFrom: [kplus.Env.fromConfigMap(config)],
    securityContext: { user: 1000, group: 1000 },
  }],
});

// The escape hatch: ApiObject.of() reaches the Kubernetes object behind a construct, to patch
// what the props do not cover.
const deployment = ApiObject.of(web.deployment);
deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/priorityClassName', 'business-critical'));
deployment.metadata.addAnnotation('example.com/owner', 'team-shop');

app.synth();

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { AppNamespace } from './kubernetes/app-namespace';
import { NginxIngress } from './kubernetes/nginx-ingress';
import { AppService } from './kubernetes/app-service';
import type { AppSpec } from '../spec/app-spec';
import { appLabels } from './labels';
import type { IMeshProvider, ResolvedPort } from './mesh/mesh-provider';
import { OpenShiftRoute } from './openshift/openshift-route';
import { OsmSmiMesh } from './mesh/osm/osm-smi-mesh';
import type { Problem } from '../spec/problems';
import { RouteCertificateAccess } from './openshift/route-certificate-access';
import { SecureDeployment } from './kubernetes/secure-deployment';
import { ServingCertificate, serviceDnsNames } from './cert-manager/serving-certificate';
import { AppSpecError, resolvePorts, validateAppSpec } from './validate-spec';
import { NetworkPeer, OPENSHIFT_INGRESS_POLICY_GROUP, ZeroTrustNetworkPolicy } from './kubernetes/zero-trust-network-policy';
import { fastRendering } from '../render/fast-render';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const KubeServiceAccount = fastRendering(k8s.KubeServiceAccount);

export interface SecureAppProps {
  /** The app spec (the YAML document's shape). */
  readonly spec: AppSpec;
  /**
   * The mesh that turns `spec.mesh` into policy objects.
   * @default - Open Service Mesh with SMI (OsmSmiMesh)
   */
  readonly mesh?: IMeshProvider;
  /**
   * Directory that relative files in the spec (CA and certificate files) are read from.
   * @default - the current directory
   */
  readonly baseDir?: string;
}

/** The annotation that asks OpenShift's service CA operator for a serving certificate Secret. */
export const SERVICE_CA_ANNOTATION = 'service.beta.openshift.io/serving-cert-secret-name';
/** The namespace of the ingress-nginx controller, admitted by the NetworkPolicy for `spec.ingress`. */
export const DEFAULT_INGRESS_CONTROLLER_NAMESPACE = 'ingress-nginx';

/**
 * Everything one app needs to run and be reached safely, from one `AppSpec`: ServiceAccount,
 * a restricted Deployment (and PodDisruptionBudget), Service, serving certificate, OpenShift
 * Route and/or Ingress, mesh policy (by default OSM IngressBackend and SMI TrafficTarget with
 * HTTPRouteGroup) and deny-by-default NetworkPolicies. Every object has an explicit name.
 *
 * Throws an `AppSpecError` listing every problem when the spec is invalid.
 */
export class SecureApp extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly deployment: SecureDeployment;
  public readonly service: AppService;
  public readonly route?: OpenShiftRoute;
  public readonly ports: readonly ResolvedPort[];
  /** Warnings about the spec (for example a certificate close to expiry); they do not stop synthesis. */
  public readonly warnings: readonly Problem[];

  constructor(scope: Construct, id: string, props: SecureAppProps) {
    super(scope, id);
    const mesh = props.mesh ?? new OsmSmiMesh();
    const problems = validateAppSpec(props.spec, { baseDir: props.baseDir, mesh });
    const errors = problems.filter((p) => !p.warning);
    if (errors.length > 0) throw new AppSpecError(String(props.spec?.metadata?.name ?? id), errors);
    this.warnings = problems.filter((p) => p.warning);

    const { metadata, spec } = props.spec;
    const name = metadata.name;
    const namespace = metadata.namespace ?? 'default';
    const labels = appLabels(name, metadata.labels);
    const serviceAccountName = spec.serviceAccount ?? name;
    const ports = resolvePorts(spec);
    const portOf = (wanted?: string) => ports.find((p) => p.name === (wanted ?? ports[0].name))!;
    const readFile = (file: string) => fs.readFileSync(path.resolve(props.baseDir ?? '.', file), 'utf8');
    this.name = name;
    this.namespace = namespace;
    this.ports = ports;

    if (spec.ownsNamespace) {
      const meshMetadata = spec.mesh ? mesh.namespaceMetadata?.() : undefined;
      new AppNamespace(this, 'Namespace', {
        name: namespace,
        labels: { ...metadata.labels, ...meshMetadata?.labels },
        annotations: meshMetadata?.annotations,
      });
    }

    new KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: serviceAccountName, namespace, labels },
      automountServiceAccountToken: false,
    });

    this.service = new AppService(this, 'Service', {
      name,
      namespace,
      labels,
      ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
    });

    this.deployment = new SecureDeployment(this, 'Deployment', {
      name,
      namespace,
      labels,
      image: spec.image,
      replicas: spec.replicas,
      serviceAccountName,
      command: spec.command,
      args: spec.args,
      env: spec.env,
      resources: spec.resources,
      ports: ports.map((p) => ({ name: p.name, containerPort: p.targetPort })),
      readinessProbe: spec.probes?.readiness,
      livenessProbe: spec.probes?.liveness,
      startupProbe: spec.probes?.startup,
    });

    if (spec.tls) {
      const secretName = spec.tls.secretName ?? `${name}-tls`;
      if (spec.tls.source === 'serviceCA') this.service.addAnnotation(SERVICE_CA_ANNOTATION, secretName);
      if (spec.tls.source === 'certManager') {
        new ServingCertificate(this, 'ServingCertificate', {
          name: secretName,
          namespace,
          labels,
          secretName,
          issuer: spec.tls.issuer!,
          dnsNames: serviceDnsNames(name, namespace),
        });
      }
      this.deployment.addSecretMount({ name: 'tls', secretName, mountPath: spec.tls.mountPath ?? '/etc/tls' });
    }

    const r = spec.route;
    if (r) {
      const cert = r.certificate ?? {};
      const inline = cert.inline;
      this.route = new OpenShiftRoute(this, 'Route', {
        name,
        namespace,
        labels,
        serviceName: name,
        targetPort: portOf(r.port).name,
        host: r.host,
        path: r.path,
        termination: r.termination,
        insecureEdgeTerminationPolicy: r.insecureEdgeTerminationPolicy,
        externalCertificateSecret: cert.secretName,
        certManagerIssuer: cert.certManager?.issuer,
        inlineCertificate: inline ? {
          certificate: readFile(inline.certificateFile),
          key: readFile(inline.keyFile),
          caCertificate: inline.caCertificateFile ? readFile(inline.caCertificateFile) : undefined,
        } : undefined,
        allowInlineKeys: cert.allowInlineKeys,
        destinationCACertificate: typeof r.destinationCA === 'object' ? readFile(r.destinationCA.file) : undefined,
        wildcardPolicy: r.wildcardPolicy,
        weight: r.weight,
        alternateBackends: r.alternateBackends,
        timeout: r.timeout,
        hsts: r.hsts,
        allowedSourceRanges: r.allowedSourceRanges,
        shardLabels: r.shardLabels,
      });
      if (cert.secretName) {
        new RouteCertificateAccess(this, 'RouteCertificateAccess', {
          name: `${name}-route-certificate`,
          namespace,
          labels,
          secretName: cert.secretName,
        });
      }
    }

    const ing = spec.ingress;
    if (ing) {
      const port = portOf(ing.port);
      new NginxIngress(this, 'Ingress', {
        name,
        namespace,
        labels,
        className: ing.className,
        host: ing.host,
        path: ing.path,
        serviceName: name,
        servicePort: port.name,
        protocol: port.protocol,
        tlsSecretName: ing.tlsSecretName,
        backendTls: ing.backendTls ? {
          clientCertSecret: ing.backendTls.clientCertSecret,
          verify: ing.backendTls.verify,
          serverName: ing.backendTls.serverName ?? `${serviceAccountName}.${namespace}.cluster.local`,
        } : undefined,
      });
    }

    if (spec.mesh) {
      mesh.bind(this, { app: name, namespace, serviceAccountName, serviceName: name, labels, ports, mesh: spec.mesh, deployment: this.deployment });
    }

    if (spec.networkPolicy ?? true) {
      const policy = new ZeroTrustNetworkPolicy(this, 'NetworkPolicy', { app: name, namespace, labels });
      if (r) policy.allow('router', [{ namespaceLabels: { [OPENSHIFT_INGRESS_POLICY_GROUP]: '' } }], [portOf(r.port).targetPort]);
      const external: NetworkPeer[] = [];
      if (ing) external.push({ namespace: ing.controllerNamespace ?? DEFAULT_INGRESS_CONTROLLER_NAMESPACE });
      for (const f of spec.mesh?.ingress?.from ?? []) {
        if (f.service) external.push({ namespace: f.service.namespace });
        if (f.ipRange) external.push({ ipRange: f.ipRange });
      }
      const externalPorts = [...new Set([ing ? portOf(ing.port).targetPort : undefined, spec.mesh?.ingress ? portOf(spec.mesh.ingress.port).targetPort : undefined]
        .filter((p): p is number => p !== undefined))];
      if (external.length) policy.allow('ingress', dedupe(external), externalPorts);
      const callers = [...new Set((spec.mesh?.allow ?? []).flatMap((a) => a.from.map((f) => f.namespace)))].sort();
      if (callers.length) policy.allow('mesh', callers.map((ns) => ({ namespace: ns })), ports.map((p) => p.targetPort));
    }
  }
}

function dedupe(peers: NetworkPeer[]): NetworkPeer[] {
  const seen = new Set<string>();
  return peers.filter((p) => { const k = JSON.stringify(p); return seen.has(k) ? false : (seen.add(k), true); });
}

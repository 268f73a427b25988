import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { fastRendering } from '../render/fast-render';
import { AppDirectory } from '../spec/app-directory';
import type { AppSpec } from '../spec/app-spec';
import { ClusterContext } from '../spec/cluster-context';
import { ResolvedPort, resolvePorts } from '../spec/ports';
import type { Problem } from '../spec/problems';
import { ServingCertificate, serviceDnsNames } from './cert-manager/serving-certificate';
import { AppNamespace, PodSecurityLevel } from './kubernetes/app-namespace';
import { AppService } from './kubernetes/app-service';
import { NginxIngress } from './kubernetes/nginx-ingress';
import { SecureDeployment } from './kubernetes/secure-deployment';
import { NetworkPeer, NetworkPolicyPort, ZeroTrustNetworkPolicy } from './kubernetes/zero-trust-network-policy';
import { appLabels, selectorLabels } from './labels';
import { meshIntent } from './mesh/mesh-intent';
import type { IMeshProvider, MeshBinding } from './mesh/mesh-provider';
import { meshProviderFor } from './mesh/mesh-providers';
import { IstioRouteGatewayEntry, routeGatewayFor } from './mesh/istio/istio-route-gateway';
import { OpenShiftRoute } from './openshift/openshift-route';
import { RouteCertificateAccess } from './openshift/route-certificate-access';
import { AppSpecError, validateAppSpec } from './validate-spec';
import { serviceAccountOwner } from './service-account-owner';
import { AppGatewayRoute } from './gateway-api/app-gateway-route';

/** The generated classes, rendering without the generic resolve pass (see fast-render.ts). */
const KubeServiceAccount = fastRendering(k8s.KubeServiceAccount, { alphabeticalConverter: true });
const KubeRoleBinding = fastRendering(k8s.KubeRoleBinding, { alphabeticalConverter: true });

export interface SecureAppProps {
  /** The app spec (the YAML document's shape). */
  readonly spec: AppSpec;
  /**
   * The mesh that turns `spec.mesh` into policy objects.
   * @default - Open Service Mesh with SMI (OsmSmiMesh)
   */
  readonly mesh?: IMeshProvider;
  /**
   * The cluster the app runs on: platform facts (DNS, API server, router), ingress controllers
   * and mesh-wide settings, from a `kind: Cluster` document.
   * @default - OpenShift when the app has a route, plain Kubernetes otherwise; no mesh settings
   */
  readonly cluster?: ClusterContext;
  /**
   * The other apps of the spec set: an app's egress reaches the apps that admit it, so it is
   * derived from their specs.
   * @default - this app alone (no app-to-app egress)
   */
  readonly directory?: AppDirectory;
  /**
   * Directory that relative files in the spec (CA and certificate files) are read from.
   * @default - the current directory
   */
  readonly baseDir?: string;
}

/** The annotation that asks OpenShift's service CA operator for a serving certificate Secret. */
export const SERVICE_CA_ANNOTATION = 'service.beta.openshift.io/serving-cert-secret-name';
/** The annotation that marks an app whose egress is not restricted (`egress.unrestricted`). */
export const EGRESS_ANNOTATION = 'cdk8s-zerotrust.io/egress';

/**
 * Everything one app needs to run and be reached safely, from one `AppSpec`: ServiceAccount,
 * a restricted Deployment (and PodDisruptionBudget), Service, serving certificate, OpenShift
 * Route and/or Ingress, mesh policy (by default OSM: SMI TrafficTargets, IngressBackends for
 * the Route's router and the Ingress' controller, Egress policies) and deny-by-default
 * NetworkPolicies in both directions that admit exactly what the spec declares. Every object has
 * an explicit name and is exposed as a property.
 *
 * Throws an `AppSpecError` listing every problem when the spec is invalid.
 */
export class SecureApp extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly serviceAccountName: string;
  /**
   * The ServiceAccount, written by the app that owns it: an app whose ServiceAccount is shared
   * with other apps of its namespace (the same `spec.serviceAccount`, or one app's name) writes it
   * only when it is the first of them by name (`serviceAccountOwner`); the others run as it.
   * @default - none when another app of the directory owns the ServiceAccount
   */
  public readonly serviceAccount?: k8s.KubeServiceAccount;
  public readonly deployment: SecureDeployment;
  /** @default - none for a pure client (no ports) */
  public readonly service?: AppService;
  public readonly route?: OpenShiftRoute;
  /**
   * Under Istio, the route gateway's half of `spec.route` (the HTTPRoute from the Cluster spec's
   * `mesh.routeGateway` to the app); the Route is then in the gateway's namespace.
   * @default - the Route goes to the app directly
   */
  public readonly routeGatewayEntry?: IstioRouteGatewayEntry;
  public readonly ingress?: NginxIngress;
  /** The Gateway API route (and BackendTLSPolicy, ReferenceGrant) of `spec.gateway`. */
  public readonly gateway?: AppGatewayRoute;
  /** The Namespace, when the app owns it. */
  public readonly appNamespace?: AppNamespace;
  /** The NetworkPolicies (none with `networkPolicy: false`). */
  public readonly networkPolicies: k8s.KubeNetworkPolicy[];
  public readonly ports: ResolvedPort[];
  /** In the mesh. */
  public readonly meshed: boolean;
  /** Warnings about the spec (for example a certificate close to expiry); they do not stop synthesis. */
  public readonly warnings: Problem[];
  private podsSelection?: kplus.Pods;
  private serviceAccountReference?: kplus.IServiceAccount;

  /**
   * The app's pods as cdk8s-plus sees a group of pods: an `INetworkPolicyPeer` (and
   * `IPodSelector`) for your own cdk8s-plus NetworkPolicies, e.g.
   * `policy.addIngressRule(secureApp.pods, [kplus.NetworkPolicyPort.tcp(8080)])`.
   * Selects by the app's selector label in its namespace; writes no object.
   */
  public get pods(): kplus.Pods {
    this.podsSelection ??= kplus.Pods.select(this, 'Pods', {
      labels: selectorLabels(this.name),
      namespaces: kplus.Namespaces.select(this, 'PodsNamespace', { names: [this.namespace] }),
    });
    return this.podsSelection;
  }

  /**
   * The app's ServiceAccount as cdk8s-plus sees it: an `IServiceAccount` (an `ISubject` for
   * cdk8s-plus Roles and RoleBindings, e.g. `role.bind(secureApp.serviceAccountRef)`). Writes no object.
   */
  public get serviceAccountRef(): kplus.IServiceAccount {
    this.serviceAccountReference ??= kplus.ServiceAccount.fromServiceAccountName(this, 'ServiceAccountRef', this.serviceAccountName, { namespaceName: this.namespace });
    return this.serviceAccountReference;
  }

  /** Every Kubernetes object this app writes, in construct order (the escape hatch: patch any of them). */
  public get apiObjects(): ApiObject[] {
    return this.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  }

  constructor(scope: Construct, id: string, props: SecureAppProps) {
    super(scope, id);
    const chartNamespace = Chart.of(this).namespace;
    const specIn = props.spec;
    const spec0: AppSpec = specIn?.metadata && specIn.metadata.namespace === undefined && chartNamespace
      ? { ...specIn, metadata: { ...specIn.metadata, namespace: chartNamespace } } : specIn;
    const cluster = props.cluster ?? ClusterContext.fromSpec({ platform: spec0?.spec?.route ? 'openshift' : 'kubernetes' });
    const mesh = props.mesh ?? meshProviderFor(cluster);
    const directory = props.directory ?? AppDirectory.of(spec0?.metadata ? [spec0] : []);
    const problems = validateAppSpec(spec0, { baseDir: props.baseDir, mesh, cluster, directory });
    const errors = problems.filter((p) => !p.warning);
    if (errors.length > 0) throw new AppSpecError(String(spec0?.metadata?.name ?? id), errors);
    this.warnings = problems.filter((p) => p.warning);

    const { metadata, spec } = spec0;
    const name = metadata.name;
    const namespace = metadata.namespace ?? 'default';
    claimName(Chart.of(this), namespace, name);
    const labels = appLabels(name, metadata.labels);
    const annotations = metadata.annotations;
    const serviceAccountName = spec.serviceAccount ?? name;
    const ports = resolvePorts(spec);
    const portOf = (wanted?: string) => ports.find((p) => p.name === (wanted ?? ports[0].name))!;
    const readFile = (file: string) => fs.readFileSync(path.resolve(props.baseDir ?? '.', file), 'utf8');
    const meshed = spec.mesh !== undefined;
    const egressUnrestricted = spec.egress?.unrestricted === true;
    this.name = name;
    this.namespace = namespace;
    this.serviceAccountName = serviceAccountName;
    this.ports = ports;
    this.meshed = meshed;

    if (spec.ownsNamespace) {
      const enrolment = meshed ? mesh.namespaceEnrolment(cluster) : undefined;
      this.appNamespace = new AppNamespace(this, 'Namespace', {
        name: namespace,
        labels: { ...metadata.labels, ...enrolment?.labels },
        annotations: { ...annotations, ...enrolment?.annotations },
        podSecurity: (enrolment?.podSecurityLevel ?? 'restricted') as PodSecurityLevel,
        podSecurityWarnAndAudit: 'restricted',
      });
    }

    if (serviceAccountOwner(directory, namespace, serviceAccountName, name) === name) {
      this.serviceAccount = new KubeServiceAccount(this, 'ServiceAccount', {
        metadata: { name: serviceAccountName, namespace, labels, annotations },
        automountServiceAccountToken: false,
      });
    }

    if (ports.length > 0) {
      this.service = new AppService(this, 'Service', {
        name,
        namespace,
        labels,
        annotations,
        ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol, appProtocol: meshed ? mesh.appProtocol(p) : undefined })),
      });
    }

    this.deployment = new SecureDeployment(this, 'Deployment', {
      name,
      namespace,
      labels,
      annotations: egressUnrestricted ? { ...annotations, [EGRESS_ANNOTATION]: 'unrestricted' } : annotations,
      image: spec.image,
      replicas: spec.replicas,
      autoscaled: spec.autoscaled,
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
      if (spec.tls.source === 'serviceCA') this.service?.addAnnotation(SERVICE_CA_ANNOTATION, secretName);
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
    const router = cluster.platform.router;
    if (r) {
      const cert = r.certificate ?? {};
      const inline = cert.inline;
      // Under Istio a Route to a port the sidecar intercepts goes to the route gateway (Cluster spec mesh.routeGateway), which reaches the app.
      const rg = mesh.name === 'istio' ? routeGatewayFor(cluster, meshed, portOf(r.port)) : undefined;
      if (rg && r.alternateBackends?.length) {
        throw new AppSpecError(name, [{ field: 'spec.route.alternateBackends', message: `under Istio the Route is written in the route gateway's namespace ${rg.gateway.podNamespace}, where the alternate backends' Services are not: split traffic in the app's HTTPRoute instead, or drop alternateBackends` }]);
      }
      this.routeGatewayEntry = rg ? new IstioRouteGatewayEntry(this, 'RouteGateway', {
        app: name, namespace, labels, annotations, port: portOf(r.port), routeGateway: rg, host: r.host, wildcardPolicy: r.wildcardPolicy, path: r.path,
      }) : undefined;
      const via = this.routeGatewayEntry;
      this.route = new OpenShiftRoute(this, 'Route', {
        name: via ? via.routeName : name,
        namespace: via ? via.routeNamespace : namespace,
        labels,
        annotations,
        serviceName: via ? via.routeServiceName : name,
        targetPort: via ? via.routeTargetPort : portOf(r.port).name,
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
          name: via ? `${via.routeName}-route-certificate` : `${name}-route-certificate`,
          namespace: via ? via.routeNamespace : namespace,
          labels,
          secretName: cert.secretName,
        });
      }
    }

    const ing = spec.ingress;
    const controller = ing ? cluster.ingressController(ing.className, ing.controllerNamespace) : undefined;
    const gateway = cluster.mesh?.ingressGateway;
    if (ing) {
      const port = portOf(ing.port);
      const throughMesh = meshed && !port.bypassMesh;
      const toMesh = throughMesh ? mesh.ingressToMesh(name, namespace, ing.backendTls !== undefined) : undefined;
      const tls = toMesh && !toMesh.tlsToSidecar ? undefined : ing.backendTls;
      this.ingress = new NginxIngress(this, 'Ingress', {
        name,
        namespace,
        labels,
        annotations: toMesh && Object.keys(toMesh.annotations).length ? { ...annotations, ...toMesh.annotations } : annotations,
        className: ing.className,
        host: ing.host,
        path: ing.path,
        serviceName: name,
        servicePort: port.name,
        protocol: port.protocol,
        tlsSecretName: ing.tlsSecretName,
        backendTls: tls ? {
          clientCertSecret: tls.clientCertSecret ?? (gateway ? `${gateway.secret.namespace}/${gateway.secret.name}` : undefined),
          verify: tls.verify,
          serverName: tls.serverName ?? (throughMesh ? `${serviceAccountName}.${namespace}.cluster.local` : `${name}.${namespace}.svc`),
          toSidecar: throughMesh,
        } : undefined,
        clientAuth: ing.clientAuth,
      });
    }

    if (spec.gateway) {
      this.gateway = new AppGatewayRoute(this, 'Gateway', {
        app: name, namespace, labels, annotations, ports, gateway: spec.gateway, cluster, meshed, meshProvider: mesh.name,
        backendCaCertificate: spec.gateway.backendCA?.file ? readFile(spec.gateway.backendCA.file) : undefined,
      });
    }

    if (meshed) {
      const binding: MeshBinding = { ...meshIntent(spec0, cluster, directory)!, deployment: this.deployment };
      mesh.bind(this, binding);
      const scc = cluster.platform.privilegedSccClusterRole;
      if (scc && mesh.namespaceEnrolment(cluster).podSecurityLevel === 'privileged') {
        new KubeRoleBinding(this, 'MeshSccBinding', {
          metadata: { name: `${name}-mesh-scc`, namespace, labels },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: scc },
          subjects: [{ kind: 'ServiceAccount', name: serviceAccountName, namespace }],
        });
      }
    } else if (namespaceEnrolled(namespace, cluster, directory)) {
      mesh.optOut(this.deployment);
    }

    this.networkPolicies = [];
    if (spec.networkPolicy ?? true) {
      const policy = new ZeroTrustNetworkPolicy(this, 'NetworkPolicy', {
        app: name,
        namespace,
        labels,
        isolateEgress: !egressUnrestricted,
        annotations: egressUnrestricted ? { [EGRESS_ANNOTATION]: 'unrestricted' } : undefined,
      });
      const tcp = (list: ResolvedPort[]): NetworkPolicyPort[] => uniquePorts(list.map((p) => ({ port: p.targetPort })));

      // Ingress: exactly the declared sources, on the pod (target) ports they reach.
      const via = this.routeGatewayEntry;
      if (r && via) policy.allowIngress('route-gateway', [{ namespaceLabels: { ...via.gatewayPeer.namespaceLabels }, podLabels: via.gatewayPeer.podLabels ? { ...via.gatewayPeer.podLabels } : undefined }], tcp([portOf(r.port)]));
      else if (r && router) policy.allowIngress('router', [{ namespaceLabels: { ...router.peer.namespaceLabels }, podLabels: router.peer.podLabels }], tcp([portOf(r.port)]));
      if (ing && controller) policy.allowIngress('ingress', [{ namespace: controller.namespace, podLabels: { ...controller.podLabels } }], tcp([portOf(ing.port)]));
      if (this.gateway) {
        const peer = this.gateway.gatewayPeer;
        policy.allowIngress('gateway', [{ namespaceLabels: { ...peer.namespaceLabels }, podLabels: peer.podLabels ? { ...peer.podLabels } : undefined }], [{ port: this.gateway.targetPort }]);
      }
      const mi = spec.mesh?.ingress;
      if (mi) {
        const peers = mi.from.flatMap((f): NetworkPeer[] => (f.service ? [{ namespace: f.service.namespace }] : f.ipRange ? [{ ipRange: f.ipRange }] : []));
        if (peers.length) policy.allowIngress('mesh-ingress', dedupe(peers), tcp([portOf(mi.port)]));
      }
      const meshPeers: NetworkPeer[] = [];
      const meshPorts: ResolvedPort[] = [];
      for (const rule of spec.mesh?.allow ?? []) {
        for (const from of rule.from) {
          const callers = directory.withServiceAccount(from.namespace, from.serviceAccount);
          if (callers.length) callers.forEach((c) => meshPeers.push({ namespace: c.namespace, podLabels: selectorLabels(c.name) }));
          else meshPeers.push({ namespace: from.namespace });
        }
        meshPorts.push(...ports.filter((p) => !p.bypassMesh && (rule.ports === undefined || rule.ports.includes(p.name))));
      }
      if (meshPeers.length && meshPorts.length) policy.allowIngress('mesh', sortPeers(dedupe(meshPeers)), tcp(meshPorts));
      const callerPeers: NetworkPeer[] = [];
      const callerPorts: ResolvedPort[] = [];
      for (const rule of spec.allow ?? []) {
        for (const from of rule.from) {
          if (from.ipRange !== undefined) callerPeers.push({ ipRange: from.ipRange });
          else if (from.app !== undefined) callerPeers.push({ namespace: from.namespace ?? namespace, podLabels: selectorLabels(from.app) });
          else if (from.namespace !== undefined) callerPeers.push({ namespace: from.namespace });
        }
        callerPorts.push(...ports.filter((p) => rule.ports === undefined || rule.ports.includes(p.name)));
      }
      if (callerPeers.length && callerPorts.length) policy.allowIngress('callers', dedupe(callerPeers), tcp(callerPorts));

      // Egress: DNS, the apps that admit this one, the mesh's control plane, declared destinations.
      if (!egressUnrestricted) {
        const dns = cluster.platform.dns;
        policy.allowEgress('dns', [{ namespaceLabels: { ...dns.peer.namespaceLabels }, podLabels: dns.peer.podLabels }], [
          { port: dns.podPort, protocol: 'UDP' }, { port: dns.podPort, protocol: 'TCP' },
        ]);
        const callees = directory.calleesOf(namespace, name);
        if (callees.length) {
          // One rule per callee would be more precise still; a peer list with the union of ports
          // would admit every callee on every port, so each callee gets its own policy rule set.
          for (const c of callees) {
            policy.allowEgress(`to-${c.app.name}${c.app.namespace === namespace ? '' : `-${c.app.namespace}`}`,
              [{ namespace: c.app.namespace, podLabels: selectorLabels(c.app.name) }], tcp(c.ports));
          }
        }
        if (meshed) {
          for (const d of mesh.dataPlaneDestinations(cluster)) {
            policy.allowEgress(d.purpose, [{ namespaceLabels: { ...d.peer.namespaceLabels }, podLabels: d.peer.podLabels }], d.ports.map((port) => ({ port })));
          }
        }
        for (const dest of spec.egress?.to ?? []) {
          const peers: NetworkPeer[] = dest.ipRanges?.length ? dest.ipRanges.map((c) => ({ ipRange: c })) : [];
          // Host names only: NetworkPolicy cannot match them; the mesh's Egress policy does (validated: meshed only).
          policy.allowEgress(`to-${dest.name}`, peers, uniquePorts(dest.ports.map((p) => ({ port: p.port }))));
        }
        if (spec.egress?.kubernetesApi) {
          const api = cluster.platform.apiServer;
          policy.allowEgress('kubernetes-api', (api.cidrs ?? []).map((c) => ({ ipRange: c })), [{ port: api.port }]);
        }
      }
      this.networkPolicies.push(...policy.policies);
    }
  }
}

/** The apps of each Chart, by "namespace/name": two SecureApps of one app would write every object twice. */
const appsOfChart = new WeakMap<Chart, Set<string>>();

function claimName(chart: Chart, namespace: string, name: string): void {
  let names = appsOfChart.get(chart);
  if (!names) appsOfChart.set(chart, names = new Set());
  const key = `${namespace}/${name}`;
  if (names.has(key)) throw new Error(`metadata.name: app ${JSON.stringify(key)} is already defined in chart ${JSON.stringify(chart.node.id)}; (namespace, name) must be unique`);
  names.add(key);
}

/** Whether the app's namespace is in the mesh (owned by a meshed app, or declared monitored). */
function namespaceEnrolled(namespace: string, cluster: ClusterContext, directory: AppDirectory): boolean {
  if (cluster.mesh?.monitoredNamespaces.includes(namespace)) return true;
  return directory.inNamespace(namespace).some((a) => a.meshed && a.spec.spec.ownsNamespace === true);
}

function uniquePorts(ports: NetworkPolicyPort[]): NetworkPolicyPort[] {
  const seen = new Set<string>();
  return ports.filter((p) => { const k = `${p.protocol ?? 'TCP'}/${p.port}`; return seen.has(k) ? false : (seen.add(k), true); });
}

/** Peers in a stable order (namespace, then pod labels), whatever order the rules name them in. */
function sortPeers(peers: NetworkPeer[]): NetworkPeer[] {
  const k = (p: NetworkPeer) => `${p.namespace ?? ''}\0${JSON.stringify(p.podLabels ?? {})}\0${p.ipRange ?? ''}`;
  return [...peers].sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
}

function dedupe(peers: NetworkPeer[]): NetworkPeer[] {
  const seen = new Set<string>();
  return peers.filter((p) => { const k = JSON.stringify(p); return seen.has(k) ? false : (seen.add(k), true); });
}

import type { ClusterModel, ContainerInfo, KubeObject, NamespaceInfo, PodEndpoint, PodPort, ServiceInfo, ServicePortInfo, SourcedObject, Workload } from './model';
import { objectRef } from './model';
import { apiGroupOf } from './api-group';

/**
 * The cluster as a folder of manifests describes it: workloads (the pods they run), Services and
 * namespaces, read the way the API server and controllers would read them.
 */

/** The label the API server sets on every namespace to its name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** One `matchExpressions` entry of a label selector. */
export interface LabelSelectorRequirement {
  readonly key: string;
  /** In, NotIn, Exists or DoesNotExist. */
  readonly operator: string;
  /** @default - none (Exists, DoesNotExist) */
  readonly values?: string[];
}

/** A Kubernetes label selector (metav1.LabelSelector). */
export interface LabelSelector {
  /** @default - none */
  readonly matchLabels?: { readonly [key: string]: string };
  /** @default - none */
  readonly matchExpressions?: LabelSelectorRequirement[];
}

/** A workload's pods as an endpoint of the network, with the workload's ref for verdicts. */
export interface WorkloadEndpoint extends PodEndpoint {
  /** The workload, as `Workload.ref`. */
  readonly ref: string;
}

/** Kinds that are not in a namespace (a namespace written on them is ignored, as the API server does). */
const CLUSTER_SCOPED = new Set([
  'APIService', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'CSIDriver', 'CSINode', 'CertificateSigningRequest',
  'ClusterIssuer', 'ClusterRole', 'ClusterRoleBinding', 'ClusterTrustBundle', 'ComponentStatus', 'CustomResourceDefinition',
  'FlowSchema', 'GatewayClass', 'IngressClass', 'MutatingWebhookConfiguration', 'Namespace', 'Node', 'PersistentVolume',
  'PodSecurityPolicy', 'PriorityClass', 'PriorityLevelConfiguration', 'Project', 'ProjectRequest', 'RuntimeClass',
  'SecurityContextConstraints', 'StorageClass', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration', 'VolumeAttachment',
]);

/** Where the pod template of each workload kind is, by `group/kind` (core group: empty). */
const POD_TEMPLATES: { [groupKind: string]: (o: KubeObject) => unknown } = {
  '/Pod': (o) => ({ metadata: o.metadata, spec: o.spec }),
  '/ReplicationController': (o) => o.spec?.template,
  'apps/Deployment': (o) => o.spec?.template,
  'apps/StatefulSet': (o) => o.spec?.template,
  'apps/DaemonSet': (o) => o.spec?.template,
  'apps/ReplicaSet': (o) => o.spec?.template,
  'extensions/Deployment': (o) => o.spec?.template,
  'extensions/DaemonSet': (o) => o.spec?.template,
  'extensions/ReplicaSet': (o) => o.spec?.template,
  'batch/Job': (o) => o.spec?.template,
  'batch/CronJob': (o) => o.spec?.jobTemplate?.spec?.template,
  'apps.openshift.io/DeploymentConfig': (o) => o.spec?.template,
  '/DeploymentConfig': (o) => o.spec?.template, // OpenShift 3 wrote it in the core group
};

/** The kinds the model reads (workloads, Service, Namespace), whatever their group. */
const MODEL_KINDS = new Set([...Object.keys(POD_TEMPLATES).map((k) => k.slice(k.indexOf('/') + 1)), 'Service', 'Namespace']);

/**
 * Reads workloads (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job,
 * CronJob, DeploymentConfig), Services and namespaces (declared, and referenced by namespaced
 * objects) from objects as `loadManifests` returns them. Objects without a namespace are in
 * "default"; malformed fields are read as absent (the loader reports what it can).
 */
export function buildClusterModel(objects: SourcedObject[]): ClusterModel {
  const workloads: Workload[] = [];
  const services: ServiceInfo[] = [];
  const declaredNamespaces: KubeObject[] = [];
  for (const source of objects) {
    if (!MODEL_KINDS.has(source.object.kind)) continue; // no kind the model reads, in any group: no need to read its group
    const kind = groupKind(source.object);
    if (kind === undefined) continue; // an apiVersion the API server refuses: in no group the model reads
    const workload = readWorkload(source, kind);
    if (workload) workloads.push(workload);
    if (kind === '/Service') services.push(readService(source));
    else if (kind === '/Namespace') declaredNamespaces.push(source.object);
  }
  return { objects, namespaces: readNamespaces(objects, declaredNamespaces), workloads, services };
}

/**
 * The namespace an object is in: its `metadata.namespace`, "default" when it has none, undefined
 * for kinds known to be cluster-scoped (other kinds, custom resources included, count as namespaced).
 */
export function objectNamespace(o: KubeObject): string | undefined {
  if (CLUSTER_SCOPED.has(o.kind)) return undefined;
  return typeof o.metadata.namespace === 'string' && o.metadata.namespace !== '' ? o.metadata.namespace : 'default';
}

/**
 * Whether a label selector matches labels, as metav1 selectors do: `matchLabels` and every
 * `matchExpressions` entry must hold (In, NotIn, Exists, DoesNotExist; NotIn also holds when the
 * key is absent). An empty selector `{}` matches everything. A missing (undefined or null) or
 * malformed selector matches nothing: callers decide first what an omitted selector means.
 */
export function selectorMatches(selector: LabelSelector | undefined, labels: { readonly [key: string]: string }): boolean {
  if (!isMapping(selector)) return false;
  const { matchLabels, matchExpressions } = selector;
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isMapping(matchLabels)) return false;
    for (const [key, value] of Object.entries(matchLabels)) if (labels[key] !== value || typeof value !== 'string') return false;
  }
  if (matchExpressions !== undefined && matchExpressions !== null) {
    if (!Array.isArray(matchExpressions)) return false;
    return matchExpressions.every((r) => requirementMatches(r, labels));
  }
  return true;
}

/** One `matchExpressions` entry; malformed entries (unknown operator, values missing or misplaced) match nothing. */
function requirementMatches(r: LabelSelectorRequirement, labels: { readonly [key: string]: string }): boolean {
  if (!isMapping(r) || typeof r.key !== 'string') return false;
  const values = r.values ?? [];
  if (!Array.isArray(values)) return false;
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case 'In': return values.length > 0 && has && values.includes(labels[r.key]);
    case 'NotIn': return values.length > 0 && (!has || !values.includes(labels[r.key]));
    case 'Exists': return values.length === 0 && has;
    case 'DoesNotExist': return values.length === 0 && !has;
    default: return false;
  }
}

/**
 * The workloads whose pods a Service selects: same namespace, every selector label on the pods.
 * A Service without a selector (or with an empty one) selects no pods (its endpoints are managed by hand).
 */
export function servicePods(model: ClusterModel, service: ServiceInfo): Workload[] {
  return serviceIndex(model).pods.get(service) ?? [];
}

/** The Services (of its namespace) that select a workload's pods, in input order. */
export function workloadServices(model: ClusterModel, workload: Workload): ServiceInfo[] {
  return serviceIndex(model).services.get(workload) ?? [];
}

interface ServiceIndex {
  readonly pods: Map<ServiceInfo, Workload[]>;
  readonly services: Map<Workload, ServiceInfo[]>;
}

const serviceIndexes = new WeakMap<ClusterModel, ServiceIndex>();

/** Services and the workloads they select, both ways, computed once per model (workloads indexed by namespace). */
function serviceIndex(model: ClusterModel): ServiceIndex {
  let index = serviceIndexes.get(model);
  if (index) return index;
  const byNamespace = new Map<string, Workload[]>();
  for (const w of model.workloads) byNamespace.set(w.namespace, [...(byNamespace.get(w.namespace) ?? []), w]);
  index = { pods: new Map(), services: new Map() };
  for (const service of model.services) {
    const selector = service.selector;
    const pods = !selector || Object.keys(selector).length === 0 ? []
      : (byNamespace.get(service.namespace) ?? []).filter((w) => Object.entries(selector).every(([k, v]) => w.podLabels[k] === v));
    index.pods.set(service, pods);
    for (const w of pods) index.services.set(w, [...(index.services.get(w) ?? []), service]);
  }
  serviceIndexes.set(model, index);
  return index;
}

/**
 * The container port a Service port sends to on a workload's pods: a number as written, or a named
 * targetPort looked up (name and protocol, as the endpoints controller does) in the ports of the
 * containers and native sidecars. Undefined when the name is not found.
 */
export function resolveTargetPort(workload: Workload, servicePort: ServicePortInfo): number | undefined {
  if (typeof servicePort.targetPort === 'number') return servicePort.targetPort;
  return workload.ports.find((p) => p.name === servicePort.targetPort && p.protocol === servicePort.protocol)?.containerPort;
}

/** The labels of a namespace: its declared labels, or only `kubernetes.io/metadata.name` when it is not declared. */
export function namespaceLabels(model: ClusterModel, namespace: string): { readonly [key: string]: string } {
  return model.namespaces.get(namespace)?.labels ?? { [NAMESPACE_NAME_LABEL]: namespace };
}

/** A workload's pods as a network endpoint (`hostIp`: the node address of a host-network pod, when known). */
export function workloadEndpoint(model: ClusterModel, workload: Workload, hostIp?: string): WorkloadEndpoint {
  return {
    ref: workload.ref,
    namespace: workload.namespace,
    namespaceLabels: namespaceLabels(model, workload.namespace),
    labels: workload.podLabels,
    ports: workload.ports,
    hostNetwork: workload.hostNetwork,
    hostIp,
  };
}

/** `group/kind` of an object (`/Kind` for the core group). */
function groupKind(o: KubeObject): string | undefined {
  const group = apiGroupOf(o.apiVersion);
  return group === undefined ? undefined : `${group}/${o.kind}`;
}

/** The pods of a workload object (of `groupKind` `kind`); undefined for other kinds, or when it has no pod template. */
function readWorkload(source: SourcedObject, kind: string): Workload | undefined {
  const o = source.object;
  const template = POD_TEMPLATES[kind]?.(o);
  if (!isMapping(template) || !isMapping(template.spec)) return undefined;
  const spec = template.spec;
  const metadata = isMapping(template.metadata) ? template.metadata : {};
  const containers = [...readContainers(spec.containers, false), ...readContainers(spec.initContainers, true)];
  const serviceAccount = nonEmptyString(spec.serviceAccountName) ?? nonEmptyString(spec.serviceAccount) ?? 'default';
  return {
    ref: objectRef(o),
    kind: o.kind,
    name: o.metadata.name,
    namespace: objectNamespace(o) ?? 'default',
    podLabels: { ...stringMap(metadata.labels), ...controllerLabels(o, kind) },
    podAnnotations: stringMap(metadata.annotations),
    serviceAccount,
    hostNetwork: spec.hostNetwork === true,
    containers,
    podSecurityContext: spec.securityContext,
    ports: servingPorts(spec),
    source,
  };
}

/**
 * Labels the controller adds to every pod and that are known from the manifest: a Job's
 * `job-name` labels, a DeploymentConfig's `deploymentconfig`. (Hash and per-pod labels, such as
 * `pod-template-hash`, cannot be known offline.)
 */
function controllerLabels(o: KubeObject, kind: string): { readonly [key: string]: string } {
  switch (kind) {
    case 'batch/Job': return o.spec?.manualSelector === true ? {} : { 'batch.kubernetes.io/job-name': o.metadata.name, 'job-name': o.metadata.name };
    case 'apps.openshift.io/DeploymentConfig':
    case '/DeploymentConfig': return { deploymentconfig: o.metadata.name };
    default: return {};
  }
}

/** Containers of a list (`init`: initContainers, native sidecars included). */
function readContainers(list: unknown, init: boolean): ContainerInfo[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isMapping).map((c) => ({
    name: typeof c.name === 'string' ? c.name : '',
    init,
    securityContext: c.securityContext,
    ports: readPorts(c.ports),
  }));
}

/**
 * The ports the pods serve on: those of the containers, then of native sidecars (init containers
 * with restartPolicy Always). Ports of other init containers are not served once the pod runs.
 */
function servingPorts(spec: { [key: string]: unknown }): PodPort[] {
  const sidecars = Array.isArray(spec.initContainers) ? spec.initContainers.filter((c) => isMapping(c) && c.restartPolicy === 'Always') : [];
  const containers = Array.isArray(spec.containers) ? spec.containers.filter(isMapping) : [];
  return [...containers, ...sidecars].flatMap((c) => readPorts(c.ports));
}

/** Container ports with a valid number; protocol defaults to TCP. */
function readPorts(list: unknown): PodPort[] {
  if (!Array.isArray(list)) return [];
  return list.filter((p) => isMapping(p) && isPortNumber(p.containerPort)).map((p) => ({
    ...(nonEmptyString(p.name) !== undefined ? { name: p.name as string } : {}),
    containerPort: p.containerPort as number,
    protocol: nonEmptyString(p.protocol) ?? 'TCP',
  }));
}

/** A Service: selector (a map of strings, or none), ports with targetPort and protocol defaulted. */
function readService(source: SourcedObject): ServiceInfo {
  const spec = isMapping(source.object.spec) ? source.object.spec : {};
  const ports = Array.isArray(spec.ports) ? spec.ports.filter((p) => isMapping(p) && isPortNumber(p.port)) : [];
  return {
    name: source.object.metadata.name,
    namespace: objectNamespace(source.object) ?? 'default',
    ...(isMapping(spec.selector) ? { selector: stringMap(spec.selector) } : {}),
    ports: ports.map(readServicePort),
    source,
  };
}

function readServicePort(p: { [key: string]: any }): ServicePortInfo {
  const targetPort = isPortNumber(p.targetPort) || nonEmptyString(p.targetPort) !== undefined ? p.targetPort : p.port;
  return {
    ...(nonEmptyString(p.name) !== undefined ? { name: p.name } : {}),
    port: p.port,
    targetPort,
    protocol: nonEmptyString(p.protocol) ?? 'TCP',
    ...(nonEmptyString(p.appProtocol) !== undefined ? { appProtocol: p.appProtocol } : {}),
  };
}

/**
 * Declared Namespace objects (their labels plus `kubernetes.io/metadata.name`, which the API
 * server sets and nobody can change), then namespaces only referenced by namespaced objects.
 */
function readNamespaces(objects: SourcedObject[], declared: KubeObject[]): Map<string, NamespaceInfo> {
  const namespaces = new Map<string, NamespaceInfo>();
  for (const o of declared) {
    const name = o.metadata.name;
    namespaces.set(name, { name, labels: { ...stringMap(o.metadata.labels), [NAMESPACE_NAME_LABEL]: name }, annotations: stringMap(o.metadata.annotations), declared: true });
  }
  for (const { object: o } of objects) {
    const name = objectNamespace(o);
    if (name !== undefined && !namespaces.has(name)) namespaces.set(name, { name, labels: { [NAMESPACE_NAME_LABEL]: name }, annotations: {}, declared: false });
  }
  return namespaces;
}

function isMapping(value: unknown): value is { [key: string]: any } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPortNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The string entries of a map (others are dropped: the loader reports them). */
function stringMap(value: unknown): { readonly [key: string]: string } {
  if (!isMapping(value)) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'string'));
}

import type { ClusterModel, ContainerInfo, KubeObject, NamespaceInfo, Verdict, Workload } from './model';

/**
 * Kubernetes Pod Security admission, offline: the Pod Security Standards checks as the
 * pod-security-admission library implements them, the namespace labels that choose the level,
 * and whether a workload's pods (plus what a mesh injects into them) are admitted.
 *
 * Every check cites the file of kubernetes/pod-security-admission at commit 8f84a87c (2026-07-01,
 * the staging copy of kubernetes/kubernetes staging/src/k8s.io/pod-security-admission) it was
 * read from, as `psa:path`. Check IDs, levels, versions, overrides and the order of findings are
 * upstream's (psa:policy/registry.go: baseline IDs sorted, then restricted IDs sorted; at
 * restricted, a restricted check that overrides a baseline check replaces it).
 *
 * "latest" is the newest version the checks here know, v1.37 at that commit. A cluster evaluates
 * "latest" as its own version (psa:policy/registry.go EvaluatePod caps at the library's newest
 * check version): say which with `PodSecurityConfig.clusterVersion`.
 *
 * Pod Security `enforce` is checked when a Pod is created, after mutating admission webhooks (so
 * after a mesh's injector): a Deployment that violates it is accepted (with warnings) but its
 * ReplicaSet can never create the pods (psa:admission/admission.go ValidatePod, ValidatePodController).
 */

/** The newest policy minor version the checks here know ("latest"). */
export const POD_SECURITY_LATEST_MINOR = 37;

/** The namespace label that sets the enforced level (psa:api/constants.go). */
export const POD_SECURITY_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
/** The namespace label that pins the enforced policy version ("latest" or "v1.x"). */
export const POD_SECURITY_ENFORCE_VERSION_LABEL = 'pod-security.kubernetes.io/enforce-version';
/** The namespace label that sets the warned level. */
export const POD_SECURITY_WARN_LABEL = 'pod-security.kubernetes.io/warn';
/** The namespace label that pins the warned policy version. */
export const POD_SECURITY_WARN_VERSION_LABEL = 'pod-security.kubernetes.io/warn-version';
/** The namespace label that sets the audited level. */
export const POD_SECURITY_AUDIT_LABEL = 'pod-security.kubernetes.io/audit';
/** The namespace label that pins the audited policy version. */
export const POD_SECURITY_AUDIT_VERSION_LABEL = 'pod-security.kubernetes.io/audit-version';

/** One reason Pod Security rejects a pod: one check, for the pod or for one container. */
export interface PodSecurityFinding {
  /** The upstream check ID, e.g. "capabilities_restricted" (psa:policy/check_*.go). */
  readonly check: string;
  /** The level the check belongs to: "baseline" or "restricted". */
  readonly level: string;
  /** The container (init, regular or ephemeral) the finding is about. @default - the pod (pod-level fields, volumes, annotations) */
  readonly container?: string;
  /** The field, as a path of the pod spec or metadata, e.g. "spec.initContainers[*].securityContext.capabilities.add". */
  readonly field: string;
  /** Lowercase, naming the field, the value and what is allowed, e.g. "securityContext.runAsUser is 0 (allowed: non-zero or unset)". */
  readonly message: string;
}

/** Options of `evaluatePodSecurity`. */
export interface PodSecurityOptions {
  /** The policy version: "latest" or "v1.x" (anything else is read as "latest", as upstream does). @default "latest" */
  readonly version?: string;
  /** The pod's annotations (AppArmor annotations; seccomp annotations before v1.19). @default - none */
  readonly podAnnotations?: { readonly [key: string]: string };
}

/**
 * The cluster's Pod Security admission configuration (the PodSecurityConfiguration of the
 * AdmissionConfiguration file): defaults for namespaces without labels, and exemptions.
 */
export interface PodSecurityConfig {
  /** defaults.enforce. @default "privileged" (upstream's default when not configured) */
  readonly defaultEnforce?: string;
  /** defaults.enforce-version. @default "latest" */
  readonly defaultEnforceVersion?: string;
  /** defaults.warn. @default "privileged" */
  readonly defaultWarn?: string;
  /** defaults.warn-version. @default "latest" */
  readonly defaultWarnVersion?: string;
  /** defaults.audit. @default "privileged" */
  readonly defaultAudit?: string;
  /** defaults.audit-version. @default "latest" */
  readonly defaultAuditVersion?: string;
  /** exemptions.namespaces: pods there are never checked. @default - none */
  readonly exemptNamespaces?: string[];
  /** exemptions.runtimeClasses: pods with one of these runtimeClassName are never checked. @default - none */
  readonly exemptRuntimeClasses?: string[];
  /** The Kubernetes version the cluster runs ("v1.x"): "latest" and newer pins evaluate as this version. @default - the newest the checks here know */
  readonly clusterVersion?: string;
}

/** The Pod Security levels and versions a namespace gets, from its labels or the cluster defaults. */
export interface NamespacePodSecurity {
  readonly namespace: string;
  /** privileged, baseline or restricted. */
  readonly enforce: string;
  /** "latest" or "v1.x". */
  readonly enforceVersion: string;
  /** "label" when the namespace's enforce label sets the level, "default" when the cluster default applies. */
  readonly enforceSource: string;
  readonly warn: string;
  readonly warnVersion: string;
  readonly audit: string;
  readonly auditVersion: string;
  /** The namespace is declared in the input (otherwise its labels are unknown and the defaults are assumed). */
  readonly declared: boolean;
  /** The cluster configuration exempts the namespace: nothing is enforced. */
  readonly exempt: boolean;
  /** Labels with values upstream cannot parse, as `key=value` (an invalid enforce level enforces restricted, an invalid version means latest). */
  readonly invalidLabels: string[];
}

const LEVELS = ['privileged', 'baseline', 'restricted'];

/**
 * The Pod Security levels of a namespace, as psa:api/helpers.go PolicyToEvaluate reads its
 * labels: each `pod-security.kubernetes.io/{enforce,warn,audit}[-version]` label overrides the
 * cluster default; an unparseable enforce level enforces "restricted" (warn and audit fall back
 * to "privileged"); an unparseable version is "latest"; warn defaults to the enforce level (and
 * version) when only enforce is labelled and it is stricter. A namespace without labels gets the
 * cluster default, which is "privileged" unless the cluster's admission configuration says
 * otherwise (`config`).
 */
export function namespaceLevel(ns: NamespaceInfo, config: PodSecurityConfig = {}): NamespacePodSecurity {
  const labels = ns.declared ? ns.labels : {};
  const invalid: string[] = [];
  const has = (key: string) => Object.prototype.hasOwnProperty.call(labels, key);
  const level = (key: string, fallback: string, onError: string): string => {
    if (!has(key)) return fallback;
    if (LEVELS.includes(labels[key])) return labels[key];
    invalid.push(`${key}=${labels[key]}`);
    return onError;
  };
  const version = (key: string, fallback: string): string => {
    if (!has(key)) return fallback;
    if (parseVersion(labels[key]) !== undefined) return labels[key];
    invalid.push(`${key}=${labels[key]}`);
    return 'latest';
  };
  const enforce = level(POD_SECURITY_ENFORCE_LABEL, config.defaultEnforce ?? 'privileged', 'restricted');
  const enforceValid = has(POD_SECURITY_ENFORCE_LABEL) && LEVELS.includes(labels[POD_SECURITY_ENFORCE_LABEL]);
  const enforceVersion = version(POD_SECURITY_ENFORCE_VERSION_LABEL, config.defaultEnforceVersion ?? 'latest');
  const audit = level(POD_SECURITY_AUDIT_LABEL, config.defaultAudit ?? 'privileged', 'privileged');
  const auditVersion = version(POD_SECURITY_AUDIT_VERSION_LABEL, config.defaultAuditVersion ?? 'latest');
  let warn = level(POD_SECURITY_WARN_LABEL, config.defaultWarn ?? 'privileged', 'privileged');
  let warnVersion = version(POD_SECURITY_WARN_VERSION_LABEL, config.defaultWarnVersion ?? 'latest');
  if (!has(POD_SECURITY_WARN_LABEL) && enforceValid && LEVELS.indexOf(enforce) > LEVELS.indexOf(warn)) {
    warn = enforce;
    if (!has(POD_SECURITY_WARN_VERSION_LABEL)) warnVersion = enforceVersion;
  }
  return {
    namespace: ns.name,
    enforce,
    enforceVersion,
    enforceSource: has(POD_SECURITY_ENFORCE_LABEL) ? 'label' : 'default',
    warn,
    warnVersion,
    audit,
    auditVersion,
    declared: ns.declared,
    exempt: (config.exemptNamespaces ?? []).includes(ns.name),
    invalidLabels: invalid,
  };
}

/**
 * Whether Pod Security admission lets the pods of `workload` be created in its namespace: the
 * pod template plus the containers a mesh injects (`injected`: init containers go to
 * initContainers, the others to containers, as injectors append them) evaluated against the
 * namespace's enforced level and version. The reason names the level and where it comes from,
 * then each failing container (injected ones marked) with its findings.
 */
export function admissionVerdict(model: ClusterModel, workload: Workload, injected: ContainerInfo[], config: PodSecurityConfig = {}): Verdict {
  const ns = model.namespaces.get(workload.namespace) ?? { name: workload.namespace, labels: {}, annotations: {}, declared: false };
  const policy = namespaceLevel(ns, config);
  const nsRef = `Namespace ${workload.namespace}`;
  const objects = ns.declared ? [workload.ref, nsRef] : [workload.ref];
  const version = effectiveVersion(policy.enforceVersion, config.clusterVersion);
  const levelText = `Pod Security ${policy.enforce}${policy.enforceVersion === 'latest' ? '' : ` ${policy.enforceVersion}`}`;
  const source = policy.enforceSource === 'label'
    ? `label on ${nsRef}${policy.invalidLabels.some((l) => l.startsWith(`${POD_SECURITY_ENFORCE_LABEL}=`)) ? `, whose value ${JSON.stringify(ns.labels[POD_SECURITY_ENFORCE_LABEL])} is invalid and enforces restricted` : ''}`
    : `${ns.declared ? `no enforce label on ${nsRef}` : `${nsRef} is not in the input`}: the cluster default${config.defaultEnforce === undefined ? ', privileged unless the admission configuration sets another' : ''}`;
  const withInjected = injected.length ? ` with ${injected.length} injected container${injected.length === 1 ? '' : 's'} (${injected.map((c) => c.name).join(', ')})` : '';
  if (policy.exempt) {
    return { allowed: true, reason: `${workload.ref}: ${nsRef} is exempt from Pod Security by the cluster's admission configuration`, objects };
  }
  const template = podTemplate(workload.source.object);
  const spec = isMapping(template?.spec) ? template.spec : {};
  if (typeof spec.runtimeClassName === 'string' && (config.exemptRuntimeClasses ?? []).includes(spec.runtimeClassName)) {
    return { allowed: true, reason: `${workload.ref}: runtimeClassName ${spec.runtimeClassName} is exempt from Pod Security by the cluster's admission configuration`, objects };
  }
  const pod = withContainers(spec, injected);
  const findings = evaluatePodSecurity(pod, policy.enforce, { version, podAnnotations: workload.podAnnotations });
  if (findings.length === 0) {
    return { allowed: true, reason: `${workload.ref}: ${levelText} (${source}) admits the pods${withInjected}`, objects };
  }
  const injectedNames = new Set(injected.map((c) => c.name));
  const groups = new Map<string, string[]>();
  for (const f of findings) {
    const who = f.container === undefined ? 'the pod' : `${containerKind(pod, f.container)} ${f.container}${injectedNames.has(f.container) ? ' (injected)' : ''}`;
    groups.set(who, [...(groups.get(who) ?? []), f.message]);
  }
  const what = [...groups].map(([who, messages]) => `${who}: ${messages.join('; ')}`).join('. ');
  return { allowed: false, reason: `${workload.ref}: ${levelText} (${source}) rejects ${what}${withInjected ? `; evaluated${withInjected}` : ''}`, objects };
}

/**
 * The Pod Security checks of `level` ("privileged", "baseline" or "restricted"; anything else
 * throws) that `podSpec` (a raw pod spec, as written in a manifest) fails, in upstream's order.
 * Privileged checks nothing. Restricted runs every baseline check that no restricted check
 * overrides, then the restricted checks. Malformed fields count as absent.
 */
export function evaluatePodSecurity(podSpec: any, level: string, options: PodSecurityOptions = {}): PodSecurityFinding[] {
  if (!LEVELS.includes(level)) throw new Error(`level ${JSON.stringify(level)} is not a Pod Security level; use "privileged", "baseline" or "restricted"`);
  if (level === 'privileged') return [];
  const pod: Spec = isMapping(podSpec) ? podSpec : {};
  const v = Math.min(parseVersion(options.version ?? 'latest') ?? Infinity, POD_SECURITY_LATEST_MINOR);
  const ctx: Ctx = { pod, sc: mapping(pod.securityContext), containers: containersOf(pod), annotations: options.podAnnotations ?? {}, v };
  const restricted = level === 'restricted';
  const out: PodSecurityFinding[] = [];
  for (const check of CHECKS) {
    if (check.level === 'restricted' && !restricted) continue;
    const fn = check.versions.filter(([min]) => min <= v).pop()?.[1];
    if (!fn) continue;
    if (restricted && check.level === 'baseline' && CHECKS.some((r) => r.level === 'restricted' && r.overrides(v).includes(check.id))) continue;
    for (const f of fn(ctx)) out.push({ check: check.id, level: check.level, ...(f.container !== undefined ? { container: f.container } : {}), field: f.field, message: f.message });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The checks

type Spec = { [key: string]: any };

interface Ctx {
  readonly pod: Spec;
  /** The pod securityContext (empty when absent). */
  readonly sc: Spec;
  readonly containers: Container[];
  readonly annotations: { readonly [key: string]: string };
  /** The policy minor version. */
  readonly v: number;
}

interface Container {
  readonly name: string;
  /** containers, initContainers or ephemeralContainers. */
  readonly list: string;
  readonly c: Spec;
  /** The securityContext (empty when absent). */
  readonly sc: Spec;
}

interface Finding {
  readonly container?: string;
  readonly field: string;
  readonly message: string;
}

interface Check {
  readonly id: string;
  readonly level: string;
  /** [minimum minor version, check] in increasing order: the last one not newer than the evaluated version applies. */
  readonly versions: Array<[number, (c: Ctx) => Finding[]]>;
  /** Baseline check IDs this restricted check replaces at a version. */
  readonly overrides: (v: number) => string[];
}

const none = () => [];

/** psa:policy/check_capabilities_baseline.go capabilities_allowed_1_0. */
const BASELINE_CAPABILITIES = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];

/** psa:policy/check_sysctls.go sysctlsAllowedV1Dot0 .. V1Dot37, by the version that added them. */
const SYSCTLS: Array<[number, string[]]> = [
  [0, ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start']],
  [27, ['net.ipv4.ip_local_reserved_ports']],
  [29, ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']],
  [32, ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']],
  [37, ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat']],
];

/** psa:policy/check_restrictedVolumes.go: the inline volume sources restricted allows. */
const RESTRICTED_ALLOWED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];
/** psa:policy/check_restrictedVolumes.go: the types named in the message, in upstream's order. */
const RESTRICTED_VOLUME_TYPES = ['hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume', 'cinder',
  'cephfs', 'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos'];

/**
 * psa:policy/check_windowsHostProcess.go (baseline, v1.0+): securityContext.windowsOptions.hostProcess
 * of the pod and every container must be unset or false.
 */
function windowsHostProcess(x: Ctx): Finding[] {
  const out: Finding[] = [];
  if (mapping(x.sc.windowsOptions).hostProcess === true) out.push({ field: 'spec.securityContext.windowsOptions.hostProcess', message: 'securityContext.windowsOptions.hostProcess is true at the pod (allowed: false or unset)' });
  for (const c of x.containers) {
    if (mapping(c.sc.windowsOptions).hostProcess === true) out.push(at(c, 'securityContext.windowsOptions.hostProcess', 'securityContext.windowsOptions.hostProcess is true (allowed: false or unset)'));
  }
  return out;
}

/** psa:policy/check_hostNamespaces.go (baseline, v1.0+): hostNetwork, hostPID, hostIPC unset or false. */
function hostNamespaces(x: Ctx): Finding[] {
  return ['hostNetwork', 'hostPID', 'hostIPC'].filter((f) => x.pod[f] === true)
    .map((f) => ({ field: `spec.${f}`, message: `${f} is true (allowed: false or unset)` }));
}

/** psa:policy/check_privileged.go (baseline, v1.0+): securityContext.privileged unset or false. */
function privileged(x: Ctx): Finding[] {
  return x.containers.filter((c) => c.sc.privileged === true)
    .map((c) => at(c, 'securityContext.privileged', 'securityContext.privileged is true (allowed: false or unset)'));
}

/**
 * psa:policy/check_capabilities_baseline.go (baseline, v1.0+): securityContext.capabilities.add
 * only from the default set (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,
 * NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT): no NET_RAW, NET_ADMIN, SYS_ADMIN...
 */
function capabilitiesBaseline(x: Ctx): Finding[] {
  const out: Finding[] = [];
  for (const c of x.containers) {
    const bad = list(mapping(c.sc.capabilities).add).map(String).filter((cap) => !BASELINE_CAPABILITIES.includes(cap));
    if (bad.length) out.push(at(c, 'securityContext.capabilities.add', `securityContext.capabilities.add has ${brackets(bad)} (allowed: only the default set ${brackets(BASELINE_CAPABILITIES)})`));
  }
  return out;
}

/** psa:policy/check_hostPathVolumes.go (baseline, v1.0+; restricted: replaced by restrictedVolumes): no hostPath volumes. */
function hostPathVolumes(x: Ctx): Finding[] {
  return volumes(x.pod).filter((vol) => present(vol.hostPath))
    .map((vol) => ({ field: 'spec.volumes[*].hostPath', message: `volume ${quote(vol.name)} is hostPath ${quote(mapping(vol.hostPath).path)} (allowed: no hostPath volumes)` }));
}

/** psa:policy/check_hostPorts.go (baseline, v1.0+): ports[*].hostPort unset or 0. */
function hostPorts(x: Ctx): Finding[] {
  const out: Finding[] = [];
  for (const c of x.containers) {
    const bad = list(c.c.ports).map((p) => mapping(p).hostPort).filter((h) => typeof h === 'number' && h !== 0);
    if (bad.length) out.push(at(c, 'ports[*].hostPort', `ports.hostPort is ${bad.join(', ')} (allowed: 0 or unset)`));
  }
  return out;
}

/**
 * psa:policy/check_appArmorProfile.go (baseline, v1.0+): securityContext.appArmorProfile.type of
 * the pod and containers RuntimeDefault, Localhost or unset; annotations
 * `container.apparmor.security.beta.kubernetes.io/*` runtime/default, localhost/* or empty.
 */
function appArmorProfile(x: Ctx): Finding[] {
  const out: Finding[] = [];
  const ok = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
  if (present(x.sc.appArmorProfile) && !ok(mapping(x.sc.appArmorProfile).type)) {
    out.push({ field: 'spec.securityContext.appArmorProfile.type', message: `securityContext.appArmorProfile.type is ${show(mapping(x.sc.appArmorProfile).type)} at the pod (allowed: RuntimeDefault, Localhost or unset)` });
  }
  for (const c of x.containers) {
    if (present(c.sc.appArmorProfile) && !ok(mapping(c.sc.appArmorProfile).type)) {
      out.push(at(c, 'securityContext.appArmorProfile.type', `securityContext.appArmorProfile.type is ${show(mapping(c.sc.appArmorProfile).type)} (allowed: RuntimeDefault, Localhost or unset)`));
    }
  }
  const prefix = 'container.apparmor.security.beta.kubernetes.io/';
  for (const [k, value] of Object.entries(x.annotations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (k.startsWith(prefix) && !(value === '' || value === 'runtime/default' || value.startsWith('localhost/'))) {
      out.push({ field: `metadata.annotations[${k}]`, message: `annotation ${k} is ${quote(value)} (allowed: runtime/default, localhost/* or empty)` });
    }
  }
  return out;
}

/**
 * psa:policy/check_seLinuxOptions.go (baseline): securityContext.seLinuxOptions of the pod and
 * containers: type empty, container_t, container_init_t, container_kvm_t (v1.31+: also
 * container_engine_t); user and role empty.
 */
function seLinuxOptions(types: string[]): (x: Ctx) => Finding[] {
  return (x) => {
    const bad = (o: Spec): string[] => [
      ...(types.includes(typeof o.type === 'string' ? o.type : '') ? [] : [`securityContext.seLinuxOptions.type is ${show(o.type)}`]),
      ...(nonEmpty(o.user) ? [`securityContext.seLinuxOptions.user is ${quote(o.user)}`] : []),
      ...(nonEmpty(o.role) ? [`securityContext.seLinuxOptions.role is ${quote(o.role)}`] : []),
    ];
    const allowed = `(allowed: type ${types.filter((t) => t).join(', ')} or empty, user and role empty)`;
    const out: Finding[] = [];
    if (present(x.sc.seLinuxOptions)) {
      const b = bad(mapping(x.sc.seLinuxOptions));
      if (b.length) out.push({ field: 'spec.securityContext.seLinuxOptions', message: `${b.join(', ')} at the pod ${allowed}` });
    }
    for (const c of x.containers) {
      if (!present(c.sc.seLinuxOptions)) continue;
      const b = bad(mapping(c.sc.seLinuxOptions));
      if (b.length) out.push(at(c, 'securityContext.seLinuxOptions', `${b.join(', ')} ${allowed}`));
    }
    return out;
  };
}

/**
 * psa:policy/check_procMount_baseline.go (baseline): securityContext.procMount unset or Default;
 * v1.35+: any value when the pod is in a user namespace (hostUsers: false).
 * psa:policy/check_procMount_restricted.go (restricted, v1.35+, replaces it): no user-namespace exception.
 */
function procMount(relaxForUserNamespace: boolean): (x: Ctx) => Finding[] {
  return (x) => {
    if (relaxForUserNamespace && x.pod.hostUsers === false) return [];
    return x.containers.filter((c) => present(c.sc.procMount) && c.sc.procMount !== 'Default')
      .map((c) => at(c, 'securityContext.procMount', `securityContext.procMount is ${show(c.sc.procMount)} (allowed: Default or unset${relaxForUserNamespace ? ', or any value with hostUsers false' : ''})`));
  };
}

/**
 * psa:policy/check_seccompProfile_baseline.go (baseline; restricted v1.19+: replaced by
 * seccompProfile_restricted). v1.0-v1.18: annotations seccomp.security.alpha.kubernetes.io/pod and
 * container.seccomp.security.alpha.kubernetes.io/<name> runtime/default, docker/default or
 * localhost/*. v1.19+: securityContext.seccompProfile.type of the pod and containers
 * RuntimeDefault, Localhost or unset (so no Unconfined).
 */
function seccompBaselineAnnotations(x: Ctx): Finding[] {
  const ok = (v: string) => v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
  const out: Finding[] = [];
  const podKey = 'seccomp.security.alpha.kubernetes.io/pod';
  if (podKey in x.annotations && !ok(x.annotations[podKey])) out.push({ field: `metadata.annotations[${podKey}]`, message: `annotation ${podKey} is ${quote(x.annotations[podKey])} (allowed: runtime/default, docker/default or localhost/*)` });
  for (const c of x.containers) {
    const key = `container.seccomp.security.alpha.kubernetes.io/${c.name}`;
    if (key in x.annotations && !ok(x.annotations[key])) out.push({ container: c.name, field: `metadata.annotations[${key}]`, message: `annotation ${key} is ${quote(x.annotations[key])} (allowed: runtime/default, docker/default or localhost/*)` });
  }
  return out;
}

function seccompBaseline(x: Ctx): Finding[] {
  const out: Finding[] = [];
  if (present(x.sc.seccompProfile) && !validSeccomp(x.sc.seccompProfile)) {
    out.push({ field: 'spec.securityContext.seccompProfile.type', message: `securityContext.seccompProfile.type is ${show(mapping(x.sc.seccompProfile).type)} at the pod (allowed: RuntimeDefault, Localhost or unset)` });
  }
  for (const c of x.containers) {
    if (present(c.sc.seccompProfile) && !validSeccomp(c.sc.seccompProfile)) {
      out.push(at(c, 'securityContext.seccompProfile.type', `securityContext.seccompProfile.type is ${show(mapping(c.sc.seccompProfile).type)} (allowed: RuntimeDefault, Localhost or unset)`));
    }
  }
  return out;
}

/** psa:policy/check_sysctls.go (baseline): spec.securityContext.sysctls[*].name only from the safe set of the version. */
function sysctls(x: Ctx): Finding[] {
  const allowed = SYSCTLS.filter(([min]) => min <= x.v).flatMap(([, names]) => names);
  const bad = list(x.sc.sysctls).map((s) => mapping(s).name).filter((n) => !allowed.includes(n));
  return bad.length ? [{ field: 'spec.securityContext.sysctls[*].name', message: `securityContext.sysctls has ${brackets(bad.map(String))} (allowed: ${allowed.join(', ')})` }] : [];
}

/**
 * psa:policy/check_hostProbesAndhostLifecycle.go (baseline, v1.34+): the host of httpGet and
 * tcpSocket in liveness, readiness and startup probes and postStart/preStop handlers empty or unset.
 */
function hostProbesAndHostLifecycle(x: Ctx): Finding[] {
  const out: Finding[] = [];
  for (const c of x.containers) {
    const handlers: Array<[string, unknown]> = [
      ['livenessProbe', c.c.livenessProbe], ['readinessProbe', c.c.readinessProbe], ['startupProbe', c.c.startupProbe],
      ['lifecycle.postStart', mapping(c.c.lifecycle).postStart], ['lifecycle.preStop', mapping(c.c.lifecycle).preStop],
    ];
    for (const [path, h] of handlers) {
      for (const action of ['httpGet', 'tcpSocket']) {
        const host = mapping(mapping(h)[action]).host;
        if (nonEmpty(host)) out.push(at(c, `${path}.${action}.host`, `${path}.${action}.host is ${quote(host)} (allowed: empty or unset)`));
      }
    }
  }
  return out;
}

/**
 * psa:policy/check_restrictedVolumes.go (restricted, v1.0+, replaces hostPathVolumes): only
 * configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and
 * secret volumes. A volume with none of the known sources counts as the emptyDir the API server
 * defaults it to (so upstream's "unknown" type cannot arise from a manifest).
 */
function restrictedVolumes(x: Ctx): Finding[] {
  const out: Finding[] = [];
  for (const vol of volumes(x.pod)) {
    if (RESTRICTED_ALLOWED_VOLUMES.some((k) => present(vol[k]))) continue;
    // A volume without a known source is defaulted to emptyDir by the API server (SetDefaults_Volume),
    // as upstream's fixture restricted/*/pass/restrictedvolumes0.yaml (a volume with only a name) shows.
    const type = RESTRICTED_VOLUME_TYPES.find((k) => present(vol[k]));
    if (type === undefined) continue;
    out.push({ field: `spec.volumes[*].${type}`, message: `volume ${quote(vol.name)} is of type ${type} (allowed: ${RESTRICTED_ALLOWED_VOLUMES.join(', ')})` });
  }
  return out;
}

/**
 * psa:policy/check_allowPrivilegeEscalation.go (restricted, v1.8+; v1.25+: pods with
 * spec.os.name windows are exempt): securityContext.allowPrivilegeEscalation must be false.
 */
function allowPrivilegeEscalation(windowsExempt: boolean): (x: Ctx) => Finding[] {
  return (x) => {
    if (windowsExempt && isWindows(x.pod)) return [];
    return x.containers.filter((c) => c.sc.allowPrivilegeEscalation !== false)
      .map((c) => at(c, 'securityContext.allowPrivilegeEscalation', `securityContext.allowPrivilegeEscalation is ${c.sc.allowPrivilegeEscalation === true ? 'true' : 'unset'} (allowed: false)`));
  };
}

/**
 * psa:policy/check_runAsNonRoot.go (restricted; v1.35+: pods with hostUsers false are exempt):
 * securityContext.runAsNonRoot true at the pod (containers may then leave it unset) or on every
 * container; false anywhere is rejected.
 */
function runAsNonRoot(relaxForUserNamespace: boolean): (x: Ctx) => Finding[] {
  return (x) => {
    if (relaxForUserNamespace && x.pod.hostUsers === false) return [];
    const out: Finding[] = [];
    const podValue = x.sc.runAsNonRoot;
    if (podValue === false) out.push({ field: 'spec.securityContext.runAsNonRoot', message: 'securityContext.runAsNonRoot is false at the pod (allowed: true or unset)' });
    const explicit = x.containers.filter((c) => typeof c.sc.runAsNonRoot === 'boolean');
    for (const c of explicit.filter((c) => c.sc.runAsNonRoot === false)) out.push(at(c, 'securityContext.runAsNonRoot', 'securityContext.runAsNonRoot is false (allowed: true, or unset when the pod sets true)'));
    if (out.length) return out;
    if (podValue === true) return [];
    return x.containers.filter((c) => typeof c.sc.runAsNonRoot !== 'boolean')
      .map((c) => at(c, 'securityContext.runAsNonRoot', 'securityContext.runAsNonRoot is unset and the pod does not set it (allowed: true on the container or the pod)'));
  };
}

/** psa:policy/check_runAsUser.go (restricted, v1.23+; v1.35+: pods with hostUsers false are exempt): runAsUser of the pod and containers not 0. */
function runAsUser(relaxForUserNamespace: boolean): (x: Ctx) => Finding[] {
  return (x) => {
    if (relaxForUserNamespace && x.pod.hostUsers === false) return [];
    const out: Finding[] = [];
    if (x.sc.runAsUser === 0) out.push({ field: 'spec.securityContext.runAsUser', message: 'securityContext.runAsUser is 0 at the pod (allowed: non-zero or unset)' });
    for (const c of x.containers) if (c.sc.runAsUser === 0) out.push(at(c, 'securityContext.runAsUser', 'securityContext.runAsUser is 0 (allowed: non-zero or unset)'));
    return out;
  };
}

/**
 * psa:policy/check_seccompProfile_restricted.go (restricted, v1.19+, replaces
 * seccompProfile_baseline; v1.25+: pods with spec.os.name windows are exempt):
 * securityContext.seccompProfile.type RuntimeDefault or Localhost at the pod (containers may then
 * leave it unset) or on every container; any other explicit value is rejected.
 */
function seccompRestricted(windowsExempt: boolean): (x: Ctx) => Finding[] {
  return (x) => {
    if (windowsExempt && isWindows(x.pod)) return [];
    const out = seccompBaseline(x).map((f) => ({ ...f, message: f.message.replace('allowed: RuntimeDefault, Localhost or unset', 'allowed: RuntimeDefault or Localhost') }));
    if (out.length) return out;
    if (present(x.sc.seccompProfile)) return [];
    return x.containers.filter((c) => !present(c.sc.seccompProfile))
      .map((c) => at(c, 'securityContext.seccompProfile.type', 'securityContext.seccompProfile is unset and the pod does not set it (allowed: type RuntimeDefault or Localhost on the container or the pod)'));
  };
}

/**
 * psa:policy/check_capabilities_restricted.go (restricted, v1.22+, replaces capabilities_baseline;
 * v1.25+: pods with spec.os.name windows are exempt): securityContext.capabilities.drop must
 * include ALL, and capabilities.add may only have NET_BIND_SERVICE.
 */
function capabilitiesRestricted(windowsExempt: boolean): (x: Ctx) => Finding[] {
  return (x) => {
    if (windowsExempt && isWindows(x.pod)) return [];
    const missingDrop: Finding[] = [];
    const badAdd: Finding[] = [];
    for (const c of x.containers) {
      const caps = mapping(c.sc.capabilities);
      const drop = list(caps.drop).map(String);
      if (!present(c.sc.capabilities) || !drop.includes('ALL')) {
        missingDrop.push(at(c, 'securityContext.capabilities.drop', `securityContext.capabilities.drop is ${present(caps.drop) ? brackets(drop) : 'unset'} (allowed: a list that includes ALL)`));
      }
      const add = list(caps.add).map(String).filter((cap) => cap !== 'NET_BIND_SERVICE');
      if (add.length) badAdd.push(at(c, 'securityContext.capabilities.add', `securityContext.capabilities.add has ${brackets(add)} (allowed: only NET_BIND_SERVICE)`));
    }
    return [...missingDrop, ...badAdd];
  };
}

/**
 * The registry: IDs, levels, versions (minimum minor version of each variant) and overrides as
 * each check's `Check{...}` declares them; sorted as psa:policy/registry.go orders them
 * (baseline IDs, then restricted IDs, each sorted bytewise).
 */
const CHECKS: Check[] = [
  { id: 'appArmorProfile', level: 'baseline', versions: [[0, appArmorProfile]], overrides: none },
  { id: 'capabilities_baseline', level: 'baseline', versions: [[0, capabilitiesBaseline]], overrides: none },
  { id: 'hostNamespaces', level: 'baseline', versions: [[0, hostNamespaces]], overrides: none },
  { id: 'hostPathVolumes', level: 'baseline', versions: [[0, hostPathVolumes]], overrides: none },
  { id: 'hostPorts', level: 'baseline', versions: [[0, hostPorts]], overrides: none },
  { id: 'hostProbesAndHostLifecycle', level: 'baseline', versions: [[34, hostProbesAndHostLifecycle]], overrides: none },
  { id: 'privileged', level: 'baseline', versions: [[0, privileged]], overrides: none },
  { id: 'procMount', level: 'baseline', versions: [[0, procMount(false)], [35, procMount(true)]], overrides: none },
  { id: 'seLinuxOptions', level: 'baseline', versions: [[0, seLinuxOptions(['', 'container_t', 'container_init_t', 'container_kvm_t'])], [31, seLinuxOptions(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'])]], overrides: none },
  { id: 'seccompProfile_baseline', level: 'baseline', versions: [[0, seccompBaselineAnnotations], [19, seccompBaseline]], overrides: none },
  { id: 'sysctls', level: 'baseline', versions: [[0, sysctls]], overrides: none },
  { id: 'windowsHostProcess', level: 'baseline', versions: [[0, windowsHostProcess]], overrides: none },
  { id: 'allowPrivilegeEscalation', level: 'restricted', versions: [[8, allowPrivilegeEscalation(false)], [25, allowPrivilegeEscalation(true)]], overrides: none },
  { id: 'capabilities_restricted', level: 'restricted', versions: [[22, capabilitiesRestricted(false)], [25, capabilitiesRestricted(true)]], overrides: (v) => (v >= 22 ? ['capabilities_baseline'] : []) },
  { id: 'procMount_restricted', level: 'restricted', versions: [[35, procMount(false)]], overrides: (v) => (v >= 35 ? ['procMount'] : []) },
  { id: 'restrictedVolumes', level: 'restricted', versions: [[0, restrictedVolumes]], overrides: () => ['hostPathVolumes'] },
  { id: 'runAsNonRoot', level: 'restricted', versions: [[0, runAsNonRoot(false)], [35, runAsNonRoot(true)]], overrides: none },
  { id: 'runAsUser', level: 'restricted', versions: [[23, runAsUser(false)], [35, runAsUser(true)]], overrides: none },
  { id: 'seccompProfile_restricted', level: 'restricted', versions: [[19, seccompRestricted(false)], [25, seccompRestricted(true)]], overrides: (v) => (v >= 19 ? ['seccompProfile_baseline'] : []) },
];

// ---------------------------------------------------------------------------------------------
// Helpers

/** The minor version of "v1.x"; Infinity for "latest"; undefined when upstream cannot parse it (psa:api/helpers.go ParseVersion). */
function parseVersion(version: string): number | undefined {
  if (version === 'latest') return Infinity;
  const m = /^v1\.(0|[1-9][0-9]*)$/.exec(version);
  return m ? Number(m[1]) : undefined;
}

/** The version a namespace's policy evaluates as, in "v1.x" form, capped by the cluster's version. */
function effectiveVersion(version: string, clusterVersion: string | undefined): string {
  const v = parseVersion(version) ?? Infinity;
  const cap = clusterVersion === undefined ? Infinity : parseVersion(clusterVersion) ?? Infinity;
  const m = Math.min(v, cap, POD_SECURITY_LATEST_MINOR);
  return `v1.${m}`;
}

/** Where the pod template of a workload object is (the locations cluster.ts reads). */
function podTemplate(o: KubeObject): Spec | undefined {
  if (o.kind === 'Pod') return { metadata: o.metadata, spec: o.spec };
  if (o.kind === 'CronJob') return mapping(mapping(mapping(o.spec).jobTemplate).spec).template;
  const template = mapping(o.spec).template;
  return isMapping(template) ? template : undefined;
}

/** The pod spec with injected containers appended (init containers to initContainers, others to containers). */
function withContainers(spec: Spec, injected: ContainerInfo[]): Spec {
  const toRaw = (c: ContainerInfo) => ({ name: c.name, ...(c.securityContext !== undefined ? { securityContext: c.securityContext } : {}), ports: c.ports.map((p) => ({ ...p })) });
  return {
    ...spec,
    initContainers: [...list(spec.initContainers), ...injected.filter((c) => c.init).map(toRaw)],
    containers: [...list(spec.containers), ...injected.filter((c) => !c.init).map(toRaw)],
  };
}

function containerKind(pod: Spec, name: string): string {
  if (list(pod.initContainers).some((c) => mapping(c).name === name)) return 'init container';
  if (list(pod.ephemeralContainers).some((c) => mapping(c).name === name)) return 'ephemeral container';
  return 'container';
}

/** Init containers, containers, ephemeral containers: upstream's visitContainers order (psa:policy/visitor.go). */
function containersOf(pod: Spec): Container[] {
  return (['initContainers', 'containers', 'ephemeralContainers'] as const).flatMap((key) => list(pod[key]).filter(isMapping).map((c) => ({
    name: typeof c.name === 'string' ? c.name : '',
    list: key,
    c,
    sc: mapping(c.securityContext),
  })));
}

function at(c: Container, field: string, message: string): Finding {
  return { container: c.name, field: `spec.${c.list}[*].${field}`, message };
}

function volumes(pod: Spec): Spec[] {
  return list(pod.volumes).filter(isMapping);
}

function validSeccomp(profile: unknown): boolean {
  const t = mapping(profile).type;
  return t === 'RuntimeDefault' || t === 'Localhost';
}

function isWindows(pod: Spec): boolean {
  return mapping(pod.os).name === 'windows';
}

function isMapping(value: unknown): value is Spec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A mapping, or an empty one. */
function mapping(value: unknown): Spec {
  return isMapping(value) ? value : {};
}

function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/** A field Go would decode as a non-nil pointer: written and not null. */
function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function quote(value: unknown): string {
  return JSON.stringify(typeof value === 'string' ? value : String(value ?? ''));
}

/** A value as messages show it: strings bare (empty as ""), others as JSON. */
function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '""';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function brackets(items: string[]): string {
  return `[${items.join(' ')}]`;
}

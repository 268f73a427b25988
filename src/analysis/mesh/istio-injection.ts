import type { ContainerInfo } from '../model';

/**
 * The containers Istio's sidecar injector (a mutating webhook served by istiod) adds to a pod, with
 * the securityContext each one gets: what Pod Security admission then sees. Sidecar mode only
 * (ambient mode injects nothing into pods and is out of scope).
 *
 * Read from istio/istio at tag 1.30.3 (commit 56df41f63e51), cited as `istio:path:line`; `D` is
 * manifests/charts/istio-control/istio-discovery.
 *
 * - Template: `sidecar` unless the pod annotation `inject.istio.io/templates` names `gateway`
 *   (the gateway chart sets it, istio:manifests/charts/gateway/values.yaml:29-34); the gateway
 *   template adds only `istio-proxy` with `runAsUser`/`runAsGroup` (istio:D/files/gateway-injection-template.yaml:26-56).
 * - Init container (istio:D/files/injection-template.yaml:74-183), unless interception mode is
 *   NONE (annotation `sidecar.istio.io/interceptionMode`) with classic sidecars:
 *   - without the Istio CNI (`pilot.cni.enabled: false`, the default, istio:D/values.yaml:30-32):
 *     `istio-init`, securityContext `allowPrivilegeEscalation: <privileged>`, `privileged: <privileged>`
 *     (values `global.proxy.privileged`, default false, istio:D/values.yaml:372),
 *     `capabilities: {add: [NET_ADMIN, NET_RAW], drop: [ALL]}`, `readOnlyRootFilesystem: false`,
 *     `runAsGroup: 0`, `runAsNonRoot: false`, `runAsUser: 0` (lines 156-171): fails Pod Security
 *     baseline (NET_ADMIN, NET_RAW) and restricted;
 *   - with the CNI: `istio-validation` (only validates the rules the CNI plugin wrote, lines 82-83,
 *     137-139), `capabilities: {drop: [ALL]}`, `readOnlyRootFilesystem: true`, `runAsGroup`/`runAsUser`
 *     the proxy's IDs (1337), `runAsNonRoot: true` (lines 159-177).
 *   `seccompProfile` only when `global.proxy.seccompProfile` is set (lines 178-181; `{}` by default,
 *   istio:D/values.yaml:374): pods need `seccompProfile: RuntimeDefault` themselves for restricted.
 * - `istio-proxy` (lines 184-420): a container, or an init container with `restartPolicy: Always`
 *   when native sidecars are on (line 29, 184-193; `ENABLE_NATIVE_SIDECARS=auto` turns them on for
 *   nodes at Kubernetes 1.33 or later, istio:pkg/kube/inject/webhook.go:1235-1265; the pod annotation
 *   `sidecar.istio.io/nativeSidecar` overrides, istio:pkg/kube/inject/inject.go:499-505); port 15090
 *   `http-envoy-prom` (lines 194-197); securityContext `allowPrivilegeEscalation: <privileged>`,
 *   `capabilities: {drop: [ALL]}`, `privileged: <privileged>`, `readOnlyRootFilesystem: true`,
 *   `runAsNonRoot: true`, `runAsUser`/`runAsGroup` the proxy's IDs (lines 391-416). With interception
 *   mode TPROXY it adds NET_ADMIN, with `sidecar.istio.io/capNetBindService: "true"` NET_BIND_SERVICE,
 *   and either runs it as root (`runAsNonRoot: false`, `runAsUser: 0`, `runAsGroup: 1337`, lines 394-411).
 * - The proxy's IDs are 1337, or on OpenShift the top of the namespace's
 *   `openshift.io/sa.scc.uid-range` and of the first `openshift.io/sa.scc.supplemental-groups` range
 *   (falling back to the UID range) (istio:pkg/kube/inject/inject.go:949-968, pkg/kube/inject/openshift.go:34-147).
 */

/** The init container without the Istio CNI (istio:D/files/injection-template.yaml:85). */
export const ISTIO_INIT_CONTAINER_NAME = 'istio-init';
/** The init container with the Istio CNI (istio:D/files/injection-template.yaml:83). */
export const ISTIO_VALIDATION_CONTAINER_NAME = 'istio-validation';
/** The proxy container (istio:D/files/injection-template.yaml:187). */
export const ISTIO_PROXY_CONTAINER_NAME = 'istio-proxy';
/** The proxy's default UID and GID (istio:D/files/injection-template.yaml:413-414, pkg/kube/inject/inject.go:952-953). */
export const ISTIO_PROXY_UID = 1337;
/** Pod annotation choosing injection templates, e.g. `gateway` (istio:manifests/charts/gateway/values.yaml:33). */
export const ISTIO_INJECT_TEMPLATES_ANNOTATION = 'inject.istio.io/templates';
/** Pod annotation: REDIRECT (default), TPROXY or NONE (istio:D/files/injection-template.yaml:27,74-81). */
export const ISTIO_INTERCEPTION_MODE_ANNOTATION = 'sidecar.istio.io/interceptionMode';
/** Pod annotation: "true" gives the proxy NET_BIND_SERVICE and runs it as root (istio:D/files/injection-template.yaml:28,394-411). */
export const ISTIO_CAP_NET_BIND_SERVICE_ANNOTATION = 'sidecar.istio.io/capNetBindService';
/** Pod annotation: "true"/"false" overrides native sidecars (istio:pkg/kube/inject/inject.go:499-505). */
export const ISTIO_NATIVE_SIDECAR_ANNOTATION = 'sidecar.istio.io/nativeSidecar';
/** OpenShift namespace annotations the injector reads the proxy's IDs from (istio:pkg/kube/inject/openshift.go:35,81). */
export const OPENSHIFT_UID_RANGE_ANNOTATION = 'openshift.io/sa.scc.uid-range';
export const OPENSHIFT_SUPPLEMENTAL_GROUPS_ANNOTATION = 'openshift.io/sa.scc.supplemental-groups';

/** The UID and GID the injector gives the proxy. */
export interface IstioProxyIds {
  readonly uid: number;
  readonly gid: number;
}

/** Options of `istioInjectedContainers`. */
export interface IstioInjectionOptions {
  /** The Istio CNI plugin is installed (values `pilot.cni.enabled`). @default false (istio:D/values.yaml:30-32) */
  readonly cni?: boolean;
  /** Values `global.proxy.privileged`. @default false (istio:D/values.yaml:372) */
  readonly privileged?: boolean;
  /** Values `global.proxy.seccompProfile`, copied to the injected containers when set. @default - none (istio:D/values.yaml:374) */
  readonly seccompProfile?: any;
  /** Native sidecars (the proxy as an init container with restartPolicy Always). @default false (nodes before Kubernetes 1.33) */
  readonly nativeSidecar?: boolean;
  /** The pod's annotations (templates, interception mode, capNetBindService, nativeSidecar). @default - none */
  readonly podAnnotations?: { readonly [key: string]: string };
  /** The namespace's annotations (OpenShift UID and group ranges). @default - none */
  readonly namespaceAnnotations?: { readonly [key: string]: string };
}

/**
 * Exactly the containers Istio's injector adds to a pod, with their securityContext and ports (see
 * the module comment for the sources).
 */
export function istioInjectedContainers(options: IstioInjectionOptions = {}): ContainerInfo[] {
  const annotations = options.podAnnotations ?? {};
  const ids = istioProxyIds(options.namespaceAnnotations ?? {});
  const privileged = options.privileged === true;
  const seccomp = options.seccompProfile !== undefined && options.seccompProfile !== null && !(typeof options.seccompProfile === 'object' && Object.keys(options.seccompProfile).length === 0)
    ? { seccompProfile: options.seccompProfile } : {};
  const templates = (annotations[ISTIO_INJECT_TEMPLATES_ANNOTATION] ?? 'sidecar').split(',').map((t) => t.trim());
  if (templates.includes('gateway')) {
    // istio:D/files/gateway-injection-template.yaml:26-56
    return [{
      name: ISTIO_PROXY_CONTAINER_NAME,
      init: false,
      securityContext: { runAsUser: ids.uid, runAsGroup: ids.gid },
      ports: [{ name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' }],
    }];
  }
  const mode = annotations[ISTIO_INTERCEPTION_MODE_ANNOTATION] ?? 'REDIRECT';
  const tproxy = mode === 'TPROXY';
  const capNetBindService = annotations[ISTIO_CAP_NET_BIND_SERVICE_ANNOTATION] === 'true';
  const nativeAnnotation = annotations[ISTIO_NATIVE_SIDECAR_ANNOTATION];
  const native = nativeAnnotation === 'true' ? true : nativeAnnotation === 'false' ? false : options.nativeSidecar === true;
  const out: ContainerInfo[] = [];
  if (mode !== 'NONE') {
    if (options.cni === true) {
      // istio:D/files/injection-template.yaml:156-181 (CNI branch)
      out.push({
        name: ISTIO_VALIDATION_CONTAINER_NAME,
        init: true,
        securityContext: {
          allowPrivilegeEscalation: privileged,
          privileged,
          capabilities: { drop: ['ALL'] },
          readOnlyRootFilesystem: true,
          runAsGroup: tproxy ? ISTIO_PROXY_UID : ids.gid,
          runAsUser: tproxy ? ISTIO_PROXY_UID : ids.uid,
          runAsNonRoot: true,
          ...seccomp,
        },
        ports: [],
      });
    } else {
      // istio:D/files/injection-template.yaml:156-171 (no CNI)
      out.push({
        name: ISTIO_INIT_CONTAINER_NAME,
        init: true,
        securityContext: {
          allowPrivilegeEscalation: privileged,
          privileged,
          capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
          readOnlyRootFilesystem: false,
          runAsGroup: 0,
          runAsNonRoot: false,
          runAsUser: 0,
          ...seccomp,
        },
        ports: [],
      });
    }
  }
  // istio:D/files/injection-template.yaml:391-420
  const add = [...(tproxy ? ['NET_ADMIN'] : []), ...(capNetBindService ? ['NET_BIND_SERVICE'] : [])];
  const root = tproxy || capNetBindService;
  out.push({
    name: ISTIO_PROXY_CONTAINER_NAME,
    init: native,
    securityContext: {
      allowPrivilegeEscalation: privileged,
      capabilities: { ...(add.length > 0 ? { add } : {}), drop: ['ALL'] },
      privileged,
      readOnlyRootFilesystem: true,
      ...(root ? { runAsNonRoot: false, runAsUser: 0, runAsGroup: ISTIO_PROXY_UID } : { runAsNonRoot: true, runAsUser: ids.uid, runAsGroup: ids.gid }),
      ...seccomp,
    },
    ports: [{ name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' }],
  });
  return out;
}

/**
 * The proxy's UID and GID for a namespace (istio:pkg/kube/inject/inject.go:949-968): 1337, or on
 * OpenShift the last UID of `openshift.io/sa.scc.uid-range` and the last ID of the first
 * `openshift.io/sa.scc.supplemental-groups` range (the UID range when absent). Ranges are
 * `<start>/<size>` or `<start>-<end>` (istio:pkg/kube/inject/openshift.go:119-147); an unreadable
 * one leaves the default.
 */
export function istioProxyIds(namespaceAnnotations: { readonly [key: string]: string }): IstioProxyIds {
  const uidRange = parseBlock(namespaceAnnotations[OPENSHIFT_UID_RANGE_ANNOTATION]);
  const groupsValue = namespaceAnnotations[OPENSHIFT_SUPPLEMENTAL_GROUPS_ANNOTATION] ?? namespaceAnnotations[OPENSHIFT_UID_RANGE_ANNOTATION];
  const groupBlocks = groupsValue === undefined || groupsValue === '' ? undefined : groupsValue.split(',').map(parseBlock);
  const gid = groupBlocks !== undefined && groupBlocks.length > 0 && groupBlocks.every((b) => b !== undefined) ? groupBlocks[0]!.end : ISTIO_PROXY_UID;
  return { uid: uidRange?.end ?? ISTIO_PROXY_UID, gid };
}

/** An OpenShift ID block, `start/size` or `start-end` (istio:pkg/kube/inject/openshift.go:124-147). */
function parseBlock(value: string | undefined): { start: number; end: number } | undefined {
  if (value === undefined) return undefined;
  const slash = /^\s*(\d+)\/(\d+)/.exec(value);
  if (slash) {
    const start = Number(slash[1]);
    const size = Number(slash[2]);
    return size > 0 ? { start, end: start + size - 1 } : undefined;
  }
  const dash = /^\s*(\d+)-(\d+)/.exec(value);
  return dash ? { start: Number(dash[1]), end: Number(dash[2]) } : undefined;
}

import type { ClusterSpecBody, IngressGatewayCertificateSpec, PlatformName } from './cluster-spec';
import { INGRESS_NGINX, IngressControllerProfile } from './profiles/ingress-nginx';
import { KUBERNETES_PLATFORM } from './profiles/kubernetes';
import { OPENSHIFT_PLATFORM } from './profiles/openshift';
import { OSM_DEFAULTS, OsmProfile } from './profiles/osm';
import { PlatformProfile, namespaceByName } from './profiles/platform-profile';

/** The platform profiles by name. */
export const PLATFORMS: { readonly [name in PlatformName]: PlatformProfile } = {
  kubernetes: KUBERNETES_PLATFORM,
  openshift: OPENSHIFT_PLATFORM,
};

/** Mesh-wide settings with defaults applied. */
export interface ResolvedMeshSettings {
  readonly provider: string;
  readonly osm: OsmProfile;
  readonly permissive: boolean;
  readonly enableEgress: boolean;
  /** @default - none */
  readonly ingressGateway?: IngressGatewayCertificateSpec;
  readonly monitoredNamespaces: string[];
  /** Write the mesh-wide settings object (OSM MeshConfig). */
  readonly writeMeshConfig: boolean;
}

/**
 * What the apps of one cluster share: the platform's facts (with the Cluster spec's overrides),
 * the ingress controllers and the mesh-wide settings. Built from the `kind: Cluster` document,
 * or from defaults (plain Kubernetes, no mesh settings) when there is none.
 */
export class ClusterContext {
  /** The context of a cluster spec body (`spec` of a `kind: Cluster` document). */
  public static fromSpec(spec?: ClusterSpecBody, name?: string): ClusterContext {
    return new ClusterContext(spec ?? {}, spec !== undefined, name ?? 'cluster');
  }

  /** Defaults: plain Kubernetes, one ingress-nginx controller, no mesh settings. */
  public static defaults(): ClusterContext {
    return ClusterContext.fromSpec(undefined);
  }

  public readonly name: string;
  /** The Cluster spec as written (empty when there is none), for settings other modules resolve. */
  public readonly spec: ClusterSpecBody;
  /** A Cluster document was given (otherwise everything is a default). */
  public readonly declared: boolean;
  public readonly platform: PlatformProfile;
  public readonly ingressControllers: IngressControllerProfile[];
  /** @default - no mesh settings declared */
  public readonly mesh?: ResolvedMeshSettings;

  private constructor(spec: ClusterSpecBody, declared: boolean, name: string) {
    this.name = name;
    this.spec = spec;
    this.declared = declared;
    const base = PLATFORMS[spec.platform ?? 'kubernetes'] ?? KUBERNETES_PLATFORM;
    this.platform = {
      ...base,
      dns: spec.dns ? {
        namespace: spec.dns.namespace,
        peer: { namespaceLabels: namespaceByName(spec.dns.namespace), podLabels: { ...spec.dns.podLabels } },
        podPort: spec.dns.port,
        servicePort: base.dns.servicePort,
      } : base.dns,
      apiServer: {
        cidrs: spec.apiServer?.cidrs ?? base.apiServer.cidrs,
        port: spec.apiServer?.port ?? base.apiServer.port,
        serviceIP: spec.apiServer?.serviceIP ?? base.apiServer.serviceIP,
        servicePort: base.apiServer.servicePort,
      },
    };
    this.ingressControllers = (spec.ingressControllers ?? [{}]).map((c) => ({
      classNames: c.classNames,
      namespace: c.namespace ?? INGRESS_NGINX.namespace,
      podLabels: c.podLabels ? { ...c.podLabels } : INGRESS_NGINX.podLabels,
      serviceName: c.serviceName ?? INGRESS_NGINX.serviceName,
      serviceAccount: c.serviceAccount ?? INGRESS_NGINX.serviceAccount,
    }));
    const m = spec.mesh;
    if (m) {
      this.mesh = {
        provider: m.provider ?? 'osm',
        osm: { ...OSM_DEFAULTS, namespace: m.namespace ?? OSM_DEFAULTS.namespace, meshName: m.meshName ?? OSM_DEFAULTS.meshName },
        permissive: m.permissive ?? false,
        enableEgress: m.enableEgress ?? false,
        ingressGateway: m.ingressGateway,
        monitoredNamespaces: [...(m.monitoredNamespaces ?? [])],
        writeMeshConfig: (m.meshConfig ?? 'object') === 'object',
      };
    }
  }

  /**
   * The ingress controller serving an IngressClass: the first that lists the class, else the
   * first that lists none (a default controller). `namespace` overrides where its pods run
   * (an app's `ingress.controllerNamespace`).
   */
  public ingressController(className?: string, namespace?: string): IngressControllerProfile | undefined {
    const found = (className !== undefined ? this.ingressControllers.find((c) => c.classNames?.includes(className)) : undefined)
      ?? this.ingressControllers.find((c) => c.classNames === undefined);
    return found && namespace !== undefined ? { ...found, namespace } : found;
  }

  /** The OSM facts: the declared mesh's, or OSM's defaults. */
  public get osm(): OsmProfile {
    return this.mesh?.osm ?? OSM_DEFAULTS;
  }
}

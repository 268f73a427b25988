import type { AppProbe, AppResources } from '../../spec/app-spec';
import { Lazy } from 'cdk8s';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { selectorLabels } from '../labels';
import { assertValid, dns1123Label, pinnedImage, portName, portNumber } from '../../spec/rules';
import { fastRendering } from '../../render/fast-render';

/** The generated classes, rendering without the generic resolve pass (see fast-render.ts). */
const KubeDeployment = fastRendering(k8s.KubeDeployment, { alphabeticalConverter: true });
const KubePodDisruptionBudget = fastRendering(k8s.KubePodDisruptionBudget, { alphabeticalConverter: true });

/** A port the container listens on. */
export interface ContainerPortProps {
  /** IANA service name. */
  readonly name: string;
  readonly containerPort: number;
}

/** A Secret mounted read-only into the container. */
export interface SecretMountProps {
  /** The volume name. */
  readonly name: string;
  readonly secretName: string;
  readonly mountPath: string;
}

export interface SecureDeploymentProps {
  /** metadata.name of the Deployment and the container name. */
  readonly name: string;
  readonly namespace: string;
  /** Labels of the Deployment, its pods and its PodDisruptionBudget. @default - selector labels only */
  readonly labels?: { readonly [key: string]: string };
  /** Annotations of the Deployment (not its pods). @default - none */
  readonly annotations?: { readonly [key: string]: string };
  readonly image: string;
  /** @default 2 */
  readonly replicas?: number;
  /**
   * An autoscaler owns the replica count: `replicas` is not written (the PodDisruptionBudget is).
   * @default false
   */
  readonly autoscaled?: boolean;
  readonly serviceAccountName: string;
  /** @default - the image entrypoint */
  readonly command?: string[];
  /** @default - the image command */
  readonly args?: string[];
  /** Environment variables, in this order. @default - none */
  readonly env?: { readonly [name: string]: string };
  /** @default - requests cpu 100m, memory 128Mi; limits memory 256Mi */
  readonly resources?: AppResources;
  /** @default - none (a pure client) */
  readonly ports?: ContainerPortProps[];
  /** @default - a TCP check of the first port; none for a pod without ports */
  readonly readinessProbe?: AppProbe;
  /** @default - the readiness handler with a longer delay and period */
  readonly livenessProbe?: AppProbe;
  /** @default - none */
  readonly startupProbe?: AppProbe;
  /** @default - none */
  readonly secretMounts?: SecretMountProps[];
  /** @default - none */
  readonly podAnnotations?: { readonly [key: string]: string };
}

/** Default resources: enough to schedule predictably, a memory limit to contain leaks. */
export const DEFAULT_RESOURCES: AppResources = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { memory: '256Mi' },
};

/**
 * A Deployment that passes Pod Security Standards "restricted" and OpenShift restricted-v2:
 * non-root with no fixed UID or fsGroup, no privilege escalation, all capabilities dropped,
 * RuntimeDefault seccomp, read-only root filesystem with a writable /tmp emptyDir, no service
 * account token, resources and distinct readiness/liveness probes. With two or more replicas
 * a PodDisruptionBudget keeps one pod up during voluntary disruptions.
 */
export class SecureDeployment extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly replicas: number;
  /** The generated Deployment object (escape hatch: `deployment.resource.addJsonPatch(...)`). */
  public readonly resource: k8s.KubeDeployment;
  private readonly props: SecureDeploymentProps;
  private readonly secretMounts: SecretMountProps[] = [];
  private readonly podAnnotations: { [key: string]: string } = {};
  private readonly podLabels: { [key: string]: string } = {};

  constructor(scope: Construct, id: string, props: SecureDeploymentProps) {
    super(scope, id);
    assertValid('name', dns1123Label(props.name));
    assertValid('namespace', dns1123Label(props.namespace));
    assertValid('image', pinnedImage(props.image));
    const replicas = props.replicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 0) throw new Error(`replicas: ${JSON.stringify(replicas)} is not a whole number >= 0`);
    for (const p of props.ports ?? []) {
      assertValid('ports.name', portName(p.name));
      assertValid('ports.containerPort', portNumber(p.containerPort));
    }
    this.props = props;
    this.name = props.name;
    this.namespace = props.namespace;
    this.replicas = replicas;
    for (const m of props.secretMounts ?? []) this.addSecretMount(m);
    Object.assign(this.podAnnotations, props.podAnnotations);

    const labels = { ...props.labels, ...selectorLabels(props.name) };
    this.resource = new KubeDeployment(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels, annotations: props.annotations && Object.keys(props.annotations).length ? { ...props.annotations } : undefined },
      spec: Lazy.any({ produce: () => this.renderSpec(labels) }),
    });
    if (replicas >= 2 || props.autoscaled) {
      new KubePodDisruptionBudget(this, 'Budget', {
        metadata: { name: props.name, namespace: props.namespace, labels },
        spec: {
          maxUnavailable: k8s.IntOrString.fromNumber(1),
          selector: { matchLabels: selectorLabels(props.name) },
        },
      });
    }
  }

  /** Mounts a Secret read-only into the container. */
  public addSecretMount(mount: SecretMountProps): void {
    if (this.secretMounts.some((m) => m.name === mount.name || m.mountPath === mount.mountPath)) {
      throw new Error(`secretMounts: ${JSON.stringify(mount.name)} at ${JSON.stringify(mount.mountPath)} clashes with a mount already added`);
    }
    this.secretMounts.push(mount);
  }

  /** Adds a label to the pod template only (not to the selector), e.g. a mesh's injection opt-out. */
  public addPodLabel(key: string, value: string): void {
    this.podLabels[key] = value;
  }

  /** The pod template's annotations so far. */
  public get podAnnotationKeys(): string[] {
    return Object.keys(this.podAnnotations).sort();
  }

  /** Adds an annotation to the pod template (for example a mesh's sidecar injection). */
  public addPodAnnotation(key: string, value: string): void {
    this.podAnnotations[key] = value;
  }

  private renderSpec(labels: { [key: string]: string }): k8s.DeploymentSpec {
    const p = this.props;
    const ports = p.ports ?? [];
    const readiness = p.readinessProbe ?? (ports.length ? { tcpSocket: { port: ports[0].name }, periodSeconds: 5 } : undefined);
    const liveness = p.livenessProbe ?? (readiness ? livenessFrom(readiness) : undefined);
    const annotations = Object.keys(this.podAnnotations).length > 0 ? sortKeys(this.podAnnotations) : undefined;
    return {
      replicas: this.props.autoscaled ? undefined : this.replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(p.name) },
      template: {
        metadata: { labels: Object.keys(this.podLabels).length ? { ...labels, ...sortKeys(this.podLabels) } : labels, annotations },
        spec: {
          serviceAccountName: p.serviceAccountName,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: p.name,
            image: p.image,
            imagePullPolicy: 'IfNotPresent',
            command: p.command,
            args: p.args,
            env: p.env ? Object.entries(p.env).map(([name, value]) => ({ name, value: String(value) })) : undefined,
            ports: ports.length === 0 ? undefined : ports.map((port) => ({ name: port.name, containerPort: port.containerPort, protocol: 'TCP' })),
            resources: toResources(p.resources ?? DEFAULT_RESOURCES),
            readinessProbe: readiness ? toProbe(readiness) : undefined,
            livenessProbe: liveness ? toProbe(liveness) : undefined,
            startupProbe: p.startupProbe ? toProbe(p.startupProbe) : undefined,
            securityContext: {
              runAsNonRoot: true,
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'] },
              seccompProfile: { type: 'RuntimeDefault' },
            },
            volumeMounts: [
              { name: 'tmp', mountPath: '/tmp' },
              ...this.secretMounts.map((m) => ({ name: m.name, mountPath: m.mountPath, readOnly: true })),
            ],
          }],
          volumes: [
            { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
            ...this.secretMounts.map((m) => ({ name: m.name, secret: { secretName: m.secretName } })),
          ],
        },
      },
    };
  }
}

/** Liveness defaults to the readiness check, later and less often, so a slow pod is not killed. */
function livenessFrom(readiness: AppProbe): AppProbe {
  return {
    ...readiness,
    initialDelaySeconds: Math.max(readiness.initialDelaySeconds ?? 0, 10),
    periodSeconds: Math.max((readiness.periodSeconds ?? 10) * 2, 10),
    failureThreshold: readiness.failureThreshold ?? 3,
    successThreshold: undefined,
  };
}

function sortKeys<T>(obj: { [key: string]: T }): { [key: string]: T } {
  return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
}

function intOrString(v: number | string): k8s.IntOrString {
  return typeof v === 'number' ? k8s.IntOrString.fromNumber(v) : k8s.IntOrString.fromString(v);
}

function quantities(q?: { [key: string]: string }): { [key: string]: k8s.Quantity } | undefined {
  if (!q) return undefined;
  return Object.fromEntries(Object.entries(q).map(([k, v]) => [k, typeof v === 'number' ? k8s.Quantity.fromNumber(v) : k8s.Quantity.fromString(v)]));
}

function toResources(r: AppResources): k8s.ResourceRequirements {
  return { limits: quantities(r.limits), requests: quantities(r.requests) };
}

/** Converts a probe in Kubernetes JSON form into the generated types (ports as IntOrString). */
function toProbe(p: AppProbe): k8s.Probe {
  return {
    exec: p.exec,
    grpc: p.grpc,
    httpGet: p.httpGet ? { ...p.httpGet, port: intOrString(p.httpGet.port) } : undefined,
    tcpSocket: p.tcpSocket ? { ...p.tcpSocket, port: intOrString(p.tcpSocket.port) } : undefined,
    initialDelaySeconds: p.initialDelaySeconds,
    periodSeconds: p.periodSeconds,
    timeoutSeconds: p.timeoutSeconds,
    successThreshold: p.successThreshold,
    failureThreshold: p.failureThreshold,
    terminationGracePeriodSeconds: p.terminationGracePeriodSeconds,
  } as k8s.Probe;
}

import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { fastRendering } from '../../render/fast-render';
import { assertValid, dns1123Label, labelKey, labelValue } from '../../spec/rules';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const KubeNamespace = fastRendering(k8s.KubeNamespace, { alphabeticalConverter: true });

/** Pod Security Standards levels. */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export interface AppNamespaceProps {
  readonly name: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** @default - none */
  readonly annotations?: { readonly [key: string]: string };
  /** Pod Security admission level enforced in the namespace. @default "restricted" */
  readonly podSecurity?: PodSecurityLevel;
  /**
   * The level Pod Security warns about (when a workload is applied) and audits (when a pod is
   * created). A meshed namespace enforces `privileged` for the injected containers and keeps
   * warning and auditing at `restricted`, so the app's own containers are still checked.
   * @default - the enforced level
   */
  readonly podSecurityWarnAndAudit?: PodSecurityLevel;
}

/**
 * A Namespace an app owns: Pod Security admission enforces "restricted" by default, and a mesh
 * can add its own labels and annotations (for OSM: monitored-by and sidecar injection).
 */
export class AppNamespace extends Construct {
  public readonly name: string;
  /** The enforced Pod Security level. */
  public readonly podSecurity: PodSecurityLevel;

  constructor(scope: Construct, id: string, props: AppNamespaceProps) {
    super(scope, id);
    assertValid('name', dns1123Label(props.name));
    for (const [k, v] of Object.entries(props.labels ?? {})) assertValid(`labels.${k}`, labelKey(k) ?? labelValue(v));
    const level = props.podSecurity ?? 'restricted';
    const watch = props.podSecurityWarnAndAudit ?? level;
    for (const [field, value] of [['podSecurity', level], ['podSecurityWarnAndAudit', watch]]) {
      if (!['privileged', 'baseline', 'restricted'].includes(value)) {
        throw new Error(`${field}: ${JSON.stringify(value)} is not allowed; use one of "privileged", "baseline", "restricted"`);
      }
    }
    this.name = props.name;
    this.podSecurity = level;
    new KubeNamespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: {
          ...props.labels,
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/warn': watch,
          'pod-security.kubernetes.io/audit': watch,
        },
        annotations: props.annotations && Object.keys(props.annotations).length ? { ...props.annotations } : undefined,
      },
    });
  }
}

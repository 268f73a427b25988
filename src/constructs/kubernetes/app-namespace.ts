import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { fastRendering } from '../../render/fast-render';
import { assertValid, dns1123Label, labelKey, labelValue } from '../../spec/rules';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const KubeNamespace = fastRendering(k8s.KubeNamespace);

/** Pod Security Standards levels. */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export interface AppNamespaceProps {
  readonly name: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** @default - none */
  readonly annotations?: { readonly [key: string]: string };
  /** Pod Security admission level enforced (and warned and audited) in the namespace. @default "restricted" */
  readonly podSecurity?: PodSecurityLevel;
}

/**
 * A Namespace an app owns: Pod Security admission enforces "restricted" by default, and a mesh
 * can add its own labels and annotations (for OSM: monitored-by and sidecar injection).
 */
export class AppNamespace extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: AppNamespaceProps) {
    super(scope, id);
    assertValid('name', dns1123Label(props.name));
    for (const [k, v] of Object.entries(props.labels ?? {})) assertValid(`labels.${k}`, labelKey(k) ?? labelValue(v));
    const level = props.podSecurity ?? 'restricted';
    if (!['privileged', 'baseline', 'restricted'].includes(level)) {
      throw new Error(`podSecurity: ${JSON.stringify(level)} is not allowed; use one of "privileged", "baseline", "restricted"`);
    }
    this.name = props.name;
    new KubeNamespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: {
          ...props.labels,
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/warn': level,
          'pod-security.kubernetes.io/audit': level,
        },
        annotations: props.annotations && Object.keys(props.annotations).length ? { ...props.annotations } : undefined,
      },
    });
  }
}

import { Construct } from 'constructs';
import * as security from '../../../../imports/security.istio.io';
import { fastRendering } from '../../../render/fast-render';
import { Problems, throwIfProblems } from '../../../spec/problems';
import { cidr, dns1123Label, dns1123Subdomain, labelKey, labelValue, oneOf, portNumber } from '../../../spec/rules';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const AuthorizationPolicy = fastRendering(security.AuthorizationPolicy, { alphabeticalConverter: true });

/** Who a rule admits; fields AND, list items OR. At least one field. */
export interface IstioRuleSource {
  /** Peer identities `<trustDomain>/ns/<namespace>/sa/<serviceAccount>` (mTLS only). @default - any */
  readonly principals?: string[];
  /** Source addresses (CIDR or address) of the connection. @default - any */
  readonly ipBlocks?: string[];
}

/** What a rule admits; fields AND, list items OR. At least one field. */
export interface IstioRuleOperation {
  /** Workload (container) ports. @default - any port */
  readonly ports?: number[];
  /** HTTP methods (HTTP ports only; gRPC is always POST). @default - any method */
  readonly methods?: string[];
  /** Exact, `prefix*` or `*suffix` paths (HTTP ports only). @default - any path */
  readonly paths?: string[];
}

/** An extra condition on a rule (all conditions must hold). */
export interface IstioRuleCondition {
  /** An Istio attribute, e.g. `request.headers[x-tenant]` (HTTP only). */
  readonly key: string;
  /** Exact, `prefix*` or `*suffix` values, OR-ed. */
  readonly values: string[];
}

/** One rule: any source AND any operation AND every condition. */
export interface IstioAuthorizationRule {
  /** @default - any source */
  readonly from?: IstioRuleSource[];
  /** @default - any operation */
  readonly to?: IstioRuleOperation[];
  /** @default - no condition */
  readonly when?: IstioRuleCondition[];
}

export interface IstioAuthorizationPolicyProps {
  readonly name: string;
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** @default - none */
  readonly annotations?: { readonly [key: string]: string };
  /** The pods the policy applies to (their labels). @default - every workload in the namespace */
  readonly selector?: { readonly [key: string]: string };
  /**
   * ALLOW or DENY (CUSTOM and AUDIT are not written). Omitted, the object says nothing and
   * Istio reads ALLOW; this is how `allow-nothing` is written (`spec: {}`).
   * @default - not written (ALLOW)
   */
  readonly action?: string;
  /** With ALLOW, no rule matches nothing: every request to the selected pods is denied. @default - none */
  readonly rules?: IstioAuthorizationRule[];
}

/** The actions this construct writes. */
const ACTIONS = ['ALLOW', 'DENY'];

/**
 * An Istio AuthorizationPolicy (security.istio.io/v1). Evaluation order for a workload
 * (istio/api security/v1beta1/authorization_policy.proto): a matching CUSTOM that denies, then a
 * matching DENY, deny; with no ALLOW policy selecting the workload, allow; a matching ALLOW,
 * allow; otherwise deny. So an ALLOW policy without rules (`allow-nothing`) denies everything.
 *
 * Checked here, as istiod's validation and `istioctl analyze` would: no empty `from`/`to`
 * entries (IST0106), no wildcard selectors (CRD CEL rules), and a DENY rule with HTTP fields must
 * name its ports, or it denies every TCP connection on the others (IST0133).
 */
export class IstioAuthorizationPolicy extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: IstioAuthorizationPolicyProps) {
    super(scope, id);
    const problems = new Problems();
    problems.add('name', dns1123Subdomain(props.name));
    problems.add('namespace', dns1123Label(props.namespace));
    if (props.action !== undefined) problems.add('action', oneOf(props.action, ACTIONS, 'action'));
    if (props.selector !== undefined) {
      if (Object.keys(props.selector).length === 0) problems.add('selector', 'an empty selector selects nothing; leave it out to apply the policy to the whole namespace');
      for (const [k, v] of Object.entries(props.selector)) {
        problems.add(`selector[${k}]`, labelKey(k));
        problems.add(`selector[${k}]`, labelValue(v));
        if (k.includes('*') || v.includes('*')) problems.add(`selector[${k}]`, 'wildcards are not allowed in a selector');
      }
    }
    (props.rules ?? []).forEach((rule, i) => {
      const at = `rules[${i}]`;
      if (rule.from !== undefined && rule.from.length === 0) problems.add(`${at}.from`, 'an empty from list is a schema error (IST0106); leave it out to admit any source');
      if (rule.to !== undefined && rule.to.length === 0) problems.add(`${at}.to`, 'an empty to list is a schema error (IST0106); leave it out to admit any operation');
      (rule.from ?? []).forEach((f, j) => {
        if (!f.principals?.length && !f.ipBlocks?.length) problems.add(`${at}.from[${j}]`, 'a source needs principals or ipBlocks (an empty source is a schema error, IST0106)');
        (f.principals ?? []).forEach((p, k) => {
          if (!/^[^/\s]+\/ns\/[^/\s]+\/sa\/[^/\s]+$/.test(p)) problems.add(`${at}.from[${j}].principals[${k}]`, `${JSON.stringify(p)} is not a principal <trustDomain>/ns/<namespace>/sa/<serviceAccount>`);
        });
        (f.ipBlocks ?? []).forEach((b, k) => problems.add(`${at}.from[${j}].ipBlocks[${k}]`, cidr(b)));
      });
      (rule.to ?? []).forEach((t, j) => {
        if (!t.ports?.length && !t.methods?.length && !t.paths?.length) problems.add(`${at}.to[${j}]`, 'an operation needs ports, methods or paths (an empty operation is a schema error, IST0106)');
        (t.ports ?? []).forEach((p, k) => problems.add(`${at}.to[${j}].ports[${k}]`, portNumber(p)));
        (t.paths ?? []).forEach((p, k) => {
          if (p === '' || (p.includes('*') && !(p === '*' || (p.indexOf('*') === p.lastIndexOf('*') && (p.startsWith('*') || p.endsWith('*')))))) {
            problems.add(`${at}.to[${j}].paths[${k}]`, `${JSON.stringify(p)} is not an exact path, a prefix "abc*" or a suffix "*abc"`);
          }
        });
        const http = (t.methods?.length ?? 0) > 0 || (t.paths?.length ?? 0) > 0 || (rule.when?.length ?? 0) > 0;
        if (props.action === 'DENY' && http && !t.ports?.length) {
          problems.add(`${at}.to[${j}].ports`, 'a DENY rule with HTTP fields and no ports denies every TCP connection to the workload, since istiod drops the HTTP part on TCP ports (IST0133); name the HTTP ports');
        }
      });
      (rule.when ?? []).forEach((w, j) => {
        if (!w.key) problems.add(`${at}.when[${j}].key`, 'a condition key is required');
        if (w.values.length === 0) problems.add(`${at}.when[${j}].values`, 'at least one value is required');
      });
    });
    throwIfProblems(`authorization policy ${JSON.stringify(props.name)}`, problems.list);
    this.name = props.name;
    const rules = props.rules?.map((r) => ({
      from: r.from?.map((f) => ({ source: { principals: nonEmpty(f.principals), ipBlocks: nonEmpty(f.ipBlocks) } })),
      to: r.to?.map((t) => ({ operation: { ports: t.ports?.length ? t.ports.map(String) : undefined, methods: nonEmpty(t.methods), paths: nonEmpty(t.paths) } })),
      when: r.when?.length ? r.when.map((w) => ({ key: w.key, values: [...w.values] })) : undefined,
    }));
    new AuthorizationPolicy(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels, annotations: props.annotations },
      spec: {
        selector: props.selector ? { matchLabels: { ...props.selector } } : undefined,
        action: props.action as security.AuthorizationPolicySpecAction | undefined,
        rules: rules?.length ? rules : undefined,
      },
    });
  }
}

function nonEmpty(list?: string[]): string[] | undefined {
  return list?.length ? [...list] : undefined;
}

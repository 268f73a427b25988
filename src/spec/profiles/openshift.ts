import { PlatformProfile, namespaceByName } from './platform-profile';

/** The namespace label OpenShift puts on the router's namespace (and on openshift-host-network for host-network routers). */
export const OPENSHIFT_INGRESS_POLICY_GROUP = 'policy-group.network.openshift.io/ingress';

/**
 * OpenShift 4 (OVN-Kubernetes):
 * - DNS: pods in openshift-dns labelled `dns.operator.openshift.io/daemonset-dns: default`
 *   listen on 5353 (Service dns-default 53 -> 5353); a rule on 53 matches nothing
 *   (openshift/cluster-dns-operator pkg/manifests/assets/dns/).
 * - API server: host-network on 6443; OpenShift's own operators allow it with a port-only rule
 *   ("we don't know the host IP ahead of time": cluster-dns-operator network policy manifest);
 *   `default/kubernetes` is 172.30.0.1:443 with the default service network 172.30.0.0/16.
 * - Router: namespace openshift-ingress, labelled `policy-group.network.openshift.io/ingress: ""`
 *   (also on openshift-host-network when the router is host-network), so the peer selects the
 *   namespace only (cluster-ingress-operator pkg/manifests/assets/router/); the default router's
 *   pods are `ingresscontroller.operator.openshift.io/deployment-ingresscontroller: default`,
 *   and Service `router-internal-default` selects them.
 * - SCC: an injected mesh init container (root, NET_ADMIN) needs the privileged SCC; the
 *   ClusterRole `system:openshift:scc:privileged` grants its `use`.
 */
export const OPENSHIFT_PLATFORM: PlatformProfile = {
  name: 'openshift',
  dns: {
    namespace: 'openshift-dns',
    peer: { namespaceLabels: namespaceByName('openshift-dns'), podLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } },
    podPort: 5353,
    servicePort: 53,
  },
  apiServer: { port: 6443, serviceIP: '172.30.0.1', servicePort: 443 },
  router: {
    namespace: 'openshift-ingress',
    peer: { namespaceLabels: { [OPENSHIFT_INGRESS_POLICY_GROUP]: '' } },
    podLabels: { 'ingresscontroller.operator.openshift.io/deployment-ingresscontroller': 'default' },
    serviceName: 'router-internal-default',
  },
  privilegedSccClusterRole: 'system:openshift:scc:privileged',
  // osm-docs content/en/docs/guides/install.md:76-90: on OpenShift, enablePrivilegedInitContainer
  // and the privileged SCC for every meshed ServiceAccount.
  privilegedMeshInitContainer: true,
};

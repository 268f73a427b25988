import { PlatformProfile, namespaceByName } from './platform-profile';

/**
 * Upstream Kubernetes (kubeadm-style): CoreDNS in kube-system, pods `k8s-app: kube-dns`, UDP+TCP 53
 * (kubernetes/kubernetes cluster/addons/dns/coredns/coredns.yaml.base); the API server is
 * host-network or off-cluster, so only an ipBlock of the `kubernetes` endpoints matches it
 * (kubernetes.io/docs/concepts/services-networking/network-policies); `default/kubernetes` is
 * the first address of the default Service CIDR 10.96.0.0/12 (kubeadm).
 */
export const KUBERNETES_PLATFORM: PlatformProfile = {
  name: 'kubernetes',
  dns: {
    namespace: 'kube-system',
    peer: { namespaceLabels: namespaceByName('kube-system'), podLabels: { 'k8s-app': 'kube-dns' } },
    podPort: 53,
    servicePort: 53,
  },
  apiServer: { port: 6443, serviceIP: '10.96.0.1', servicePort: 443 },
};

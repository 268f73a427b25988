

/** An ingress-nginx controller's pods and Service. */
export interface IngressControllerProfile {
  /** IngressClass names it serves. @default - every class */
  readonly classNames?: string[];
  readonly namespace: string;
  readonly podLabels: { readonly [key: string]: string };
  readonly serviceName: string;
  /** The ServiceAccount the controller pods run as: their identity when the controller is enrolled in a mesh. */
  readonly serviceAccount: string;
}

/**
 * ingress-nginx as its upstream manifests deploy it: namespace ingress-nginx, pods
 * `app.kubernetes.io/name: ingress-nginx` + `app.kubernetes.io/component: controller`, Service
 * `ingress-nginx-controller`, ServiceAccount `ingress-nginx` (kubernetes/ingress-nginx
 * deploy/static/provider/cloud/deploy.yaml @0124c31).
 * It dials the pod IP and target port (not the Service) unless `service-upstream` is set.
 * ingress-nginx was retired in March 2026; see the Gateway API.
 */
export const INGRESS_NGINX: IngressControllerProfile = {
  namespace: 'ingress-nginx',
  podLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
  serviceName: 'ingress-nginx-controller',
  serviceAccount: 'ingress-nginx',
};

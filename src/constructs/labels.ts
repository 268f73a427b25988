/** Label conventions shared by every construct. */

/** The label every object carries to name its app; the only selector label. */
export const APP_NAME_LABEL = 'app.kubernetes.io/name';
/** Marks objects written by this library. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'cdk8s-zerotrust';

/** The selector labels of an app: stable, so that selectors never change between syntheses. */
export function selectorLabels(app: string): { [key: string]: string } {
  return { [APP_NAME_LABEL]: app };
}

/** The labels of every object of an app: the user's labels, then the library's own. */
export function appLabels(app: string, extra?: { readonly [key: string]: string }): { [key: string]: string } {
  return { ...extra, [APP_NAME_LABEL]: app, [MANAGED_BY_LABEL]: MANAGED_BY };
}

import type { AppDirectory } from '../spec/app-directory';

/**
 * The app that writes a ServiceAccount shared by apps of one namespace: the first by name among
 * the directory's apps running as it and `app` itself. The others do not write it; the
 * cross-app checks refuse sharers that disagree on its labels or annotations, and an app that
 * takes another app's own (default) ServiceAccount without that app naming it too.
 */
export function serviceAccountOwner(directory: AppDirectory, namespace: string, serviceAccount: string, app: string): string {
  return directory.withServiceAccount(namespace, serviceAccount).reduce((first, a) => (a.name < first ? a.name : first), app);
}

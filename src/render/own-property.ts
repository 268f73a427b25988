/**
 * Sets `key` on `target` as an own, enumerable data property. `target[key] = value` does that for
 * every key but `__proto__`, which on a plain object sets the prototype instead: a spec or manifest
 * key `__proto__` (a YAML parser makes it an own property) would be lost from a copy, or change
 * what the copy inherits. Copies of plain data call this for that key (the check is one string
 * comparison per key; the define only runs for it).
 */
export function defineOwnProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

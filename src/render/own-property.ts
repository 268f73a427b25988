/**
 * Sets `key` on `target` as an own, enumerable data property, as `target[key] = value` does for
 * every key but `__proto__`: on a plain object that assignment sets the prototype instead, so a
 * spec or manifest key `__proto__` (a YAML parser makes it an own property) would be lost from a
 * copy, or change what the copy inherits. Copies of plain data set every key through this.
 */
export function setOwnProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

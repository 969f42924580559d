/**
 * Body key notation of webhook templates: `a.b` nests, `a[]` appends, `a[N]` / `a[N].b`
 * address element N. Pure: imported by the API, the activities, workflow code and the console.
 */

export type BodyPathSegment = { kind: 'prop'; name: string } | { kind: 'index'; index: number } | { kind: 'append' };

export class BodyKeyError extends Error {
  override readonly name = 'BodyKeyError';
}

/** A client-supplied index allocates an array that long: keep it small. */
export const MAX_BODY_INDEX = 999;

/** Levels of nesting a key may add after its first name (each `.name`, `[N]` or `[]` is one). */
export const MAX_BODY_KEY_DEPTH = 8;

/**
 * Array slots (values and the `null`s before an index) one body may materialise. A template that
 * passes the size check (256 KiB) stays far below it; it only stops a template stored before that
 * check from allocating millions of slots while it renders.
 */
export const MAX_BODY_SLOTS = 100_000;

const FORBIDDEN_PROPERTY_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const INDEX_PATTERN = /^(0|[1-9][0-9]*)$/;

export function parseBodyKey(key: string): BodyPathSegment[] {
  const segments: BodyPathSegment[] = [];
  const fail = (reason: string): never => {
    throw new BodyKeyError(`invalid body key "${key}": ${reason}`);
  };
  if (key.length === 0) fail('it is empty');
  if (key.startsWith('[')) fail('it must start with a property name, not a bracket');

  let position = 0;
  let expectName = true;
  while (position < key.length) {
    if (segments.at(-1)?.kind === 'append') {
      fail('"[]" appends a value and must end the key (use "list[N].child" to build objects inside an array)');
    }
    const char = key[position];
    if (expectName) {
      let end = position;
      while (end < key.length && key[end] !== '.' && key[end] !== '[' && key[end] !== ']') end++;
      const name = key.slice(position, end);
      if (name.length === 0) {
        if (key[end] === ']') fail(`unbalanced "]" at position ${end + 1}`);
        fail(`empty property name at position ${position + 1}`);
      }
      if (FORBIDDEN_PROPERTY_NAMES.has(name)) fail(`"${name}" is not allowed as a property name`);
      if (key[end] === ']') fail(`unbalanced "]" at position ${end + 1}`);
      segments.push({ kind: 'prop', name });
      position = end;
      expectName = false;
    } else if (char === '.') {
      position++;
      if (position === key.length) fail('it ends with "."');
      expectName = true;
    } else if (char === '[') {
      const close = key.indexOf(']', position);
      if (close === -1) fail(`unbalanced "[" at position ${position + 1}`);
      const inner = key.slice(position + 1, close);
      if (inner.includes('[')) fail(`unbalanced "[" at position ${position + 1}`);
      if (inner.length === 0) {
        segments.push({ kind: 'append' });
      } else {
        if (!INDEX_PATTERN.test(inner)) {
          fail(`"[${inner}]" is not an index (a non-negative integer without leading zeros)`);
        }
        const index = Number(inner);
        if (index > MAX_BODY_INDEX) fail(`index ${inner} is above the maximum ${MAX_BODY_INDEX}`);
        segments.push({ kind: 'index', index });
      }
      position = close + 1;
    } else if (char === ']') {
      fail(`unbalanced "]" at position ${position + 1}`);
    } else {
      fail(`expected "." or "[" at position ${position + 1}, after "]"`);
    }
    if (segments.length - 1 > MAX_BODY_KEY_DEPTH)
      fail(`it nests more than ${MAX_BODY_KEY_DEPTH} levels below its first name`);
  }
  return segments;
}

/** Writes segments back in the notation, so messages can name the shared prefix of two keys. */
export function formatBodyPath(segments: readonly BodyPathSegment[]): string {
  let text = '';
  for (const segment of segments) {
    if (segment.kind === 'prop') text += text.length === 0 ? segment.name : `.${segment.name}`;
    else if (segment.kind === 'index') text += `[${segment.index}]`;
    else text += '[]';
  }
  return text;
}

type ShapeRole = 'value' | 'object' | 'indexedArray' | 'appendedArray';

interface ShapeNode {
  role: ShapeRole;
  /** The first key that gave the node its role: named in conflict messages. */
  definedBy: string;
  children: Map<string | number, ShapeNode>;
}

const ROLE_DESCRIPTIONS: Record<ShapeRole, string> = {
  value: 'a value',
  object: 'an object',
  indexedArray: 'an array addressed by index',
  appendedArray: 'an array appended to with "[]"',
};

function containerRoleFor(segment: BodyPathSegment): ShapeRole {
  if (segment.kind === 'prop') return 'object';
  if (segment.kind === 'index') return 'indexedArray';
  return 'appendedArray';
}

function childKeyOf(segment: BodyPathSegment): string | number {
  if (segment.kind === 'prop') return segment.name;
  if (segment.kind === 'index') return segment.index;
  throw new BodyKeyError('an append segment has no child key');
}

/**
 * Walks one parsed key through the shape built by the earlier keys and records it.
 * Returns a conflict message, or null. A conflict is always found before the walk creates
 * a node (new nodes have no earlier users), so a rejected key leaves the shape untouched.
 */
function recordKeyInShape(root: ShapeNode, key: string, segments: readonly BodyPathSegment[]): string | null {
  let node = root;
  for (let position = 0; position < segments.length; position++) {
    const segment = segments[position]!;
    const neededRole = containerRoleFor(segment);
    if (node.role !== neededRole) {
      const containerPath = formatBodyPath(segments.slice(0, position));
      return `body key "${key}" uses "${containerPath}" as ${ROLE_DESCRIPTIONS[neededRole]}, but the earlier key "${node.definedBy}" uses it as ${ROLE_DESCRIPTIONS[node.role]}`;
    }
    if (segment.kind === 'append') return null;

    const isLast = position === segments.length - 1;
    const childKey = childKeyOf(segment);
    const child = node.children.get(childKey);
    if (isLast) {
      if (child === undefined) {
        node.children.set(childKey, { role: 'value', definedBy: key, children: new Map() });
        return null;
      }
      const childPath = formatBodyPath(segments.slice(0, position + 1));
      if (child.role === 'value') {
        return `body key "${key}" sets "${childPath}" again: the earlier key "${child.definedBy}" already sets it`;
      }
      return `body key "${key}" uses "${childPath}" as a value, but the earlier key "${child.definedBy}" uses it as ${ROLE_DESCRIPTIONS[child.role]}`;
    }
    if (child === undefined) {
      const created: ShapeNode = {
        role: containerRoleFor(segments[position + 1]!),
        definedBy: key,
        children: new Map(),
      };
      node.children.set(childKey, created);
      node = created;
    } else {
      node = child;
    }
  }
  return null;
}

/** Every key (by index in `keys`) that is malformed or contradicts an earlier one. */
export function findBodyKeyConflicts(keys: readonly string[]): Array<{ index: number; message: string }> {
  const conflicts: Array<{ index: number; message: string }> = [];
  const root: ShapeNode = { role: 'object', definedBy: '(body root)', children: new Map() };
  keys.forEach((key, index) => {
    let segments: BodyPathSegment[];
    try {
      segments = parseBodyKey(key);
    } catch (error) {
      if (!(error instanceof BodyKeyError)) throw error;
      conflicts.push({ index, message: error.message });
      return;
    }
    const message = recordKeyInShape(root, key, segments);
    if (message !== null) conflicts.push({ index, message });
  });
  return conflicts;
}

type JsonContainer = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is JsonContainer {
  return typeof value === 'object' && value !== null;
}

function newContainerFor(segment: BodyPathSegment): JsonContainer {
  return segment.kind === 'prop' ? {} : [];
}

/** Pads with null rather than leaving holes, so the array serialises the same everywhere. */
function padArrayTo(array: unknown[], length: number): void {
  while (array.length < length) array.push(null);
}

/** Counts the array slots a body materialises, and stops at `MAX_BODY_SLOTS`. */
class SlotBudget {
  private used = 0;

  take(count: number): void {
    this.used += count;
    if (this.used > MAX_BODY_SLOTS)
      throw new BodyKeyError(`the body would hold more than ${MAX_BODY_SLOTS} array elements`);
  }
}

/**
 * Builds the JSON object of body rows, in order. Keys that fail `findBodyKeyConflicts`
 * throw a `BodyKeyError` (the first problem).
 */
export function buildBody(entries: ReadonlyArray<{ key: string; value: unknown }>): Record<string, unknown> {
  const conflicts = findBodyKeyConflicts(entries.map((entry) => entry.key));
  if (conflicts.length > 0) throw new BodyKeyError(conflicts[0]!.message);

  const slots = new SlotBudget();
  const body: Record<string, unknown> = {};
  for (const { key, value } of entries) {
    const segments = parseBodyKey(key);
    let container: JsonContainer = body;
    for (let position = 0; position < segments.length; position++) {
      const segment = segments[position]!;
      const next = segments[position + 1];
      if (segment.kind === 'append') {
        slots.take(1);
        (container as unknown[]).push(value);
        break;
      }
      if (segment.kind === 'prop') {
        const object = container as Record<string, unknown>;
        if (next === undefined) {
          object[segment.name] = value;
          break;
        }
        // Own properties only: an inherited `toString` must not pass for an existing child.
        const existing = Object.hasOwn(object, segment.name) ? object[segment.name] : undefined;
        if (isContainer(existing)) {
          container = existing;
        } else {
          const created = newContainerFor(next);
          object[segment.name] = created;
          container = created;
        }
      } else {
        const array = container as unknown[];
        // Counted before the padding allocates anything.
        slots.take(Math.max(0, segment.index + 1 - array.length));
        padArrayTo(array, segment.index);
        if (next === undefined) {
          array[segment.index] = value;
          break;
        }
        // The conflict check guarantees a non-container here is a null gap, never a value.
        const existing = array[segment.index];
        if (isContainer(existing)) {
          container = existing;
        } else {
          const created = newContainerFor(next);
          array[segment.index] = created;
          container = created;
        }
      }
    }
  }
  return body;
}

/*
 * ─── Size without rendering ──────────────────────────────────────────────────────────────────
 * A template is refused when its rendered request could exceed the size limit; rendering the
 * worst case to measure it would allocate what the limit is there to prevent (a few hundred
 * keys like `k[999][999]…` ask for megabytes of `null`). The shape of the keys and the size of
 * each value give the exact length of the JSON text instead, in time linear in the keys.
 */

/** Printable ASCII that JSON writes as it is: most text, measured by a native scan. */
const JSON_VERBATIM = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** UTF-8 bytes of `JSON.stringify(text)`, counted without building it. */
export function jsonStringBytes(text: string): number {
  if (JSON_VERBATIM.test(text)) return text.length + 2;
  let bytes = 2;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (
      unit === 0x22 ||
      unit === 0x5c ||
      unit === 0x08 ||
      unit === 0x09 ||
      unit === 0x0a ||
      unit === 0x0c ||
      unit === 0x0d
    )
      bytes += 2;
    else if (unit < 0x20) bytes += 6;
    else if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        index++;
      } else bytes += 6; // a lone surrogate is written as \udXXX
    } else if (unit >= 0xdc00 && unit <= 0xdfff) bytes += 6;
    else bytes += 3;
  }
  return bytes;
}

interface SizeNode {
  kind: 'value' | 'object' | 'indexedArray' | 'appendedArray';
  /** A value's bytes; an appended array's values' bytes. */
  bytes: number;
  /** An array's length (highest index + 1, or values appended). */
  length: number;
  children: Map<string | number, SizeNode>;
}

const sizeNodeFor = (segment: BodyPathSegment): SizeNode => ({
  kind: segment.kind === 'prop' ? 'object' : segment.kind === 'index' ? 'indexedArray' : 'appendedArray',
  bytes: 0,
  length: 0,
  children: new Map(),
});

function serialisedBytes(node: SizeNode): number {
  switch (node.kind) {
    case 'value':
      return node.bytes;
    case 'appendedArray':
      return 2 + node.bytes + Math.max(0, node.length - 1);
    case 'indexedArray': {
      let bytes = 2 + Math.max(0, node.length - 1) + (node.length - node.children.size) * 'null'.length;
      for (const child of node.children.values()) bytes += serialisedBytes(child);
      return bytes;
    }
    case 'object': {
      let bytes = 2 + Math.max(0, node.children.size - 1);
      for (const [name, child] of node.children) bytes += jsonStringBytes(String(name)) + 1 + serialisedBytes(child);
      return bytes;
    }
  }
}

/**
 * The UTF-8 length of `JSON.stringify(buildBody(entries))` when each value serialises to
 * `valueBytes` bytes (`null` is 4), without building the body. The keys are those that passed
 * `findBodyKeyConflicts` (checked once, by the caller): a malformed key throws a `BodyKeyError`,
 * keys that contradict each other give a number that means nothing.
 */
export function bodyJsonBytes(entries: ReadonlyArray<{ key: string; valueBytes: number }>): number {
  const root: SizeNode = { kind: 'object', bytes: 0, length: 0, children: new Map() };
  for (const { key, valueBytes } of entries) {
    const segments = parseBodyKey(key);
    let node = root;
    for (let position = 0; position < segments.length; position++) {
      const segment = segments[position]!;
      const next = segments[position + 1];
      if (segment.kind === 'append') {
        node.length += 1;
        node.bytes += valueBytes;
        break;
      }
      const childKey = childKeyOf(segment);
      if (segment.kind === 'index') node.length = Math.max(node.length, segment.index + 1);
      if (next === undefined) {
        node.children.set(childKey, { kind: 'value', bytes: valueBytes, length: 0, children: new Map() });
        break;
      }
      let child = node.children.get(childKey);
      if (child === undefined) {
        child = sizeNodeFor(next);
        node.children.set(childKey, child);
      }
      node = child;
    }
  }
  return serialisedBytes(root);
}

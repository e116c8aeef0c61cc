/**
 * The config's schema language: the part of zod's API the config uses (`z.string().min(1).optional()
 * .describe(...)`), checked by a few hundred lines instead of a validation library. zod cost a third
 * of the gate's cold start (35 of ~110 ms of JavaScript: its 117 KB compiled, then every schema node
 * built through its generic constructors) for one parse of a small file.
 *
 * What it reports is zod's too, where the messages depend on it: the issue codes and fields, their
 * paths and order, and when a check runs after another failed (a type error stops the checks after
 * it; a failed bound or refinement does not), so each problem reads as before.
 */

export type Path = PropertyKey[];

interface IssueBase {
  path: Path;
  message: string;
  input: unknown;
  /** The checks after this one still run (a bound or a refinement failed, not the type). */
  continue?: boolean;
}
export type Issue = IssueBase &
  (
    | { code: 'invalid_type'; expected: string }
    | { code: 'invalid_value'; values: readonly unknown[] }
    | { code: 'unrecognized_keys'; keys: string[] }
    | { code: 'too_small'; origin: 'string' | 'number' | 'array'; minimum: number; inclusive: boolean }
    | { code: 'too_big'; origin: 'number'; maximum: number; inclusive: boolean }
    | { code: 'invalid_union'; note?: string }
    | { code: 'invalid_format'; format: string }
    | { code: 'custom' }
  );

/** A value being checked and what is wrong with it so far. */
interface Payload {
  value: unknown;
  issues: Issue[];
  /** A pipe stopped here: nothing after it may run. */
  aborted?: boolean;
}

/** JSON Schema of a node (draft 2020-12). */
export type JsonSchema = Record<string, unknown>;

type Check = { check(p: Payload): void; json?(node: JsonSchema): void };
type Override = (schema: Schema, json: JsonSchema) => void;

const aborted = (p: Payload, from = 0): boolean =>
  p.aborted === true || p.issues.slice(from).some((i) => i.continue !== true);

const received = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const invalidType = (expected: string, input: unknown, message?: string): Issue => ({
  code: 'invalid_type',
  expected,
  input,
  path: [],
  message: message ?? `Invalid input: expected ${expected}, received ${received(input)}`,
});
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const copy = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

export abstract class Schema<Out = unknown, In = Out> {
  declare readonly _output: Out;
  declare readonly _input: In;
  description?: string;
  /** May the key be absent: 'optional' (then it is), 'defaulted' (then it takes a value). */
  optin?: 'optional' | 'defaulted';
  /** Can the value come out undefined. */
  optout?: 'optional';
  protected checks: readonly Check[] = [];

  /** The value's own type and parts; the checks run after it. */
  protected abstract parse(value: unknown): Payload;
  /** The JSON Schema of what it accepts (the input side). */
  protected abstract schema(of: (s: Schema) => JsonSchema): JsonSchema;

  run(value: unknown): Payload {
    const p = this.parse(value);
    let stop = aborted(p);
    for (const c of this.checks) {
      if (stop) break;
      const n = p.issues.length;
      c.check(p);
      stop = aborted(p, n);
    }
    return p;
  }

  /** Its JSON Schema, each node offered to `override` once built. */
  toJson(override?: Override): JsonSchema {
    const of = (s: Schema): JsonSchema => {
      const node = s.schema(of);
      for (const c of s.checks) c.json?.(node);
      if (s.description !== undefined) node.description = s.description;
      override?.(s, node);
      return node;
    };
    return of(this);
  }

  safeParse(data: unknown): { success: true; data: Out } | { success: false; error: { issues: Issue[] } } {
    const p = this.run(data);
    return p.issues.length ? { success: false, error: { issues: p.issues } } : { success: true, data: p.value as Out };
  }

  protected with(patch: Partial<this>): this {
    return Object.assign(Object.create(Object.getPrototypeOf(this) as object) as this, this, patch);
  }

  protected check(c: Check): this {
    return this.with({ checks: [...this.checks, c] } as unknown as Partial<this>);
  }

  describe(description: string): this {
    return this.with({ description } as Partial<this>);
  }

  refine(ok: (value: Out) => boolean, { message }: { message: string }): this {
    return this.check({
      check: (p) => {
        if (!ok(p.value as Out)) p.issues.push({ code: 'custom', path: [], message, input: p.value, continue: true });
      },
    });
  }

  superRefine(
    refinement: (value: Out, ctx: { addIssue(issue: { code: 'custom'; message: string; path?: Path }): void }) => void,
  ): this {
    return this.check({
      check: (p) =>
        refinement(p.value as Out, {
          addIssue: ({ message, path = [] }) => {
            p.issues.push({ code: 'custom', message, path, input: p.value, continue: true });
          },
        }),
    });
  }

  transform<T>(fn: (value: Out) => T): Schema<T, In> {
    return new Pipe(this, new Transform(fn as (v: unknown) => T));
  }

  optional(): Schema<Out | undefined, In | undefined> {
    return new Optional(this);
  }

  /** Absent: this value, as it is (not checked). */
  default(value: Exclude<Out, undefined>): Schema<Exclude<Out, undefined>, In | undefined> {
    return new Default(this, value, false);
  }

  /** Absent: this value, checked as if it had been written (so its own defaults fill in). */
  prefault(value: In): Schema<Out, In | undefined> {
    return new Default(this, value, true);
  }
}

type Bound = { value: number; inclusive: boolean };

/** A string of at least `minimum` characters, a list of at least `minimum` entries. */
function lengthAtLeast(origin: 'string' | 'array', minimum: number): Check {
  return {
    check: (p) => {
      if ((p.value as string | unknown[]).length >= minimum) return;
      const unit = origin === 'string' ? 'characters' : 'items';
      p.issues.push({
        code: 'too_small',
        origin,
        minimum,
        inclusive: true,
        path: [],
        input: p.value,
        message: `Too small: expected ${origin} to have >=${minimum} ${unit}`,
        continue: true,
      });
    },
    json: (node) => {
      node[origin === 'string' ? 'minLength' : 'minItems'] = minimum;
    },
  };
}

class StringSchema extends Schema<string> {
  constructor(private readonly error?: (issue: { input: unknown }) => string | undefined) {
    super();
  }

  protected parse(value: unknown): Payload {
    if (typeof value === 'string') return { value, issues: [] };
    return { value, issues: [invalidType('string', value, this.error?.({ input: value }))] };
  }

  protected schema(): JsonSchema {
    return { type: 'string' };
  }

  min(minimum: number): this {
    return this.check(lengthAtLeast('string', minimum));
  }

  /** A URL (`URL.canParse`), trimmed, tabs and newlines taken out as the URL parser does. */
  url(): this {
    return this.check({
      check: (p) => {
        const trimmed = (p.value as string).trim();
        if (URL.canParse(trimmed)) p.value = trimmed.replace(/[\t\n\r]/g, '');
        else
          p.issues.push({
            code: 'invalid_format',
            format: 'url',
            path: [],
            input: p.value,
            message: 'Invalid URL',
            continue: true,
          });
      },
      json: (node) => {
        node.format = 'uri';
      },
    });
  }

  regex(pattern: RegExp, { message }: { message: string }): this {
    return this.check({
      check: (p) => {
        pattern.lastIndex = 0;
        if (!pattern.test(p.value as string))
          p.issues.push({ code: 'invalid_format', format: 'regex', path: [], input: p.value, message, continue: true });
      },
      json: (node) => {
        node.pattern = pattern.source;
      },
    });
  }
}

class NumberSchema extends Schema<number> {
  private integer = false;

  protected parse(value: unknown): Payload {
    if (typeof value === 'number' && Number.isFinite(value)) return { value, issues: [] };
    return { value, issues: [invalidType('number', value)] };
  }

  protected schema(): JsonSchema {
    return { type: this.integer ? 'integer' : 'number' };
  }

  private bound(side: 'min' | 'max', { value: limit, inclusive }: Bound): this {
    const fails = (v: number) =>
      side === 'min' ? (inclusive ? v < limit : v <= limit) : inclusive ? v > limit : v >= limit;
    return this.check({
      check: (p) => {
        if (!fails(p.value as number)) return;
        const base = { path: [] as Path, input: p.value, inclusive, continue: true as const };
        const relation = `${side === 'min' ? '>' : '<'}${inclusive ? '=' : ''}${limit}`;
        p.issues.push(
          side === 'min'
            ? {
                ...base,
                code: 'too_small',
                origin: 'number',
                minimum: limit,
                message: `Too small: expected number to be ${relation}`,
              }
            : {
                ...base,
                code: 'too_big',
                origin: 'number',
                maximum: limit,
                message: `Too big: expected number to be ${relation}`,
              },
        );
      },
      // The tightest bound of each side is the one JSON Schema states (an integer's start at ±2^53 - 1).
      json: (node) => {
        const [incl, excl] = side === 'min' ? ['minimum', 'exclusiveMinimum'] : ['maximum', 'exclusiveMaximum'];
        const tighter = (old: unknown) => typeof old !== 'number' || (side === 'min' ? limit >= old : limit <= old);
        if (!tighter(node[incl]) || !tighter(node[excl])) return;
        delete node[incl];
        delete node[excl];
        node[inclusive ? incl : excl] = limit;
      },
    });
  }

  min(value: number): this {
    return this.bound('min', { value, inclusive: true });
  }
  gt(value: number): this {
    return this.bound('min', { value, inclusive: false });
  }
  max(value: number): this {
    return this.bound('max', { value, inclusive: true });
  }
  lt(value: number): this {
    return this.bound('max', { value, inclusive: false });
  }
  nonnegative(): this {
    return this.min(0);
  }
  positive(): this {
    return this.gt(0);
  }

  /** A whole number within ±(2^53 - 1). */
  int(): this {
    const whole = this.check({
      check: (p) => {
        if (!Number.isInteger(p.value))
          p.issues.push({ ...invalidType('int', p.value), message: 'Invalid input: expected int, received number' });
      },
    });
    whole.integer = true;
    return whole.min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
  }
}

class BooleanSchema extends Schema<boolean> {
  protected parse(value: unknown): Payload {
    return { value, issues: typeof value === 'boolean' ? [] : [invalidType('boolean', value)] };
  }
  protected schema(): JsonSchema {
    return { type: 'boolean' };
  }
}

/** One of a few values (a literal is one). */
class ValueSchema<T extends string | number> extends Schema<T> {
  constructor(
    private readonly values: readonly T[],
    private readonly single: boolean,
  ) {
    super();
  }
  protected parse(value: unknown): Payload {
    if (this.values.includes(value as T)) return { value, issues: [] };
    const message = `Invalid input: expected one of ${this.values.map((v) => JSON.stringify(v)).join('|')}`;
    return { value, issues: [{ code: 'invalid_value', values: this.values, path: [], input: value, message }] };
  }
  protected schema(): JsonSchema {
    const type = typeof this.values[0] === 'number' ? 'number' : 'string';
    return this.single ? { type, const: this.values[0] } : { type, enum: [...this.values] };
  }
}

/** The issues of a part, under its key. */
const under = (key: PropertyKey, issues: Issue[]): Issue[] => issues.map((i) => ({ ...i, path: [key, ...i.path] }));

class ArraySchema<S extends Schema> extends Schema<S['_output'][], S['_input'][]> {
  constructor(private readonly item: S) {
    super();
  }
  protected parse(value: unknown): Payload {
    if (!Array.isArray(value)) return { value, issues: [invalidType('array', value)] };
    const p: Payload = { value: [], issues: [] };
    value.forEach((v, i) => {
      const r = this.item.run(v);
      p.issues.push(...under(i, r.issues));
      (p.value as unknown[])[i] = r.value;
    });
    return p;
  }
  protected schema(of: (s: Schema) => JsonSchema): JsonSchema {
    return { type: 'array', items: of(this.item) };
  }
  min(minimum: number): this {
    return this.check(lengthAtLeast('array', minimum));
  }
}

type Shape = Record<string, Schema<unknown, unknown>>;
type Flat<T> = { [K in keyof T]: T[K] } & {};
type MaybeKeys<S extends Shape, Side extends '_output' | '_input'> = {
  [K in keyof S]: undefined extends S[K][Side] ? K : never;
}[keyof S];
type ObjectOf<S extends Shape, Side extends '_output' | '_input'> = Flat<
  { [K in Exclude<keyof S, MaybeKeys<S, Side>>]: S[K][Side] } & { [K in MaybeKeys<S, Side>]?: S[K][Side] }
>;

/** An object of the keys of `shape` and no others. */
class ObjectSchema<S extends Shape> extends Schema<ObjectOf<S, '_output'>, ObjectOf<S, '_input'>> {
  constructor(readonly shape: S) {
    super();
  }
  protected parse(value: unknown): Payload {
    if (!isObject(value)) return { value, issues: [invalidType('object', value)] };
    const out: Record<string, unknown> = {};
    const p: Payload = { value: out, issues: [] };
    for (const [key, s] of Object.entries(this.shape)) {
      const present = key in value;
      // An absent optional key is left out; a key that must be there is reported by its schema.
      if (!present && s.optout === 'optional' && s.optin === 'optional') continue;
      const r = s.run(value[key]);
      if (r.issues.length) {
        if (!present && s.optin !== undefined && s.optout === 'optional') continue;
        p.issues.push(...under(key, r.issues));
      }
      if (!present && s.optin === undefined) continue;
      if (r.value !== undefined) out[key] = r.value;
      else if (present || (s.optin === 'defaulted' && s.optout !== 'optional')) out[key] = undefined;
    }
    const unknown: string[] = [];
    for (const key in value) if (!Object.hasOwn(this.shape, key)) unknown.push(key);
    if (unknown.length)
      p.issues.push({
        code: 'unrecognized_keys',
        keys: unknown,
        path: [],
        input: value,
        message: `Unrecognized key${unknown.length > 1 ? 's' : ''}: ${unknown.map((k) => `"${k}"`).join(', ')}`,
        // The object's own checks still run: an unknown key says nothing of the known ones.
        continue: true,
      });
    return p;
  }
  protected schema(of: (s: Schema) => JsonSchema): JsonSchema {
    const entries = Object.entries(this.shape);
    const required = entries.filter(([, s]) => s.optin === undefined).map(([k]) => k);
    return {
      type: 'object',
      properties: Object.fromEntries(entries.map(([k, s]) => [k, of(s)])),
      ...(required.length ? { required } : {}),
      additionalProperties: false,
    };
  }
}

type Options = readonly [Schema, ...Schema[]];

/** The first option the value passes; when it passes none, the one it nearly passed, or "none of them". */
class UnionSchema<O extends Options> extends Schema<O[number]['_output'], O[number]['_input']> {
  constructor(private readonly options: O) {
    super();
    if (options.some((o) => o.optin === 'defaulted')) this.optin = 'defaulted';
    else if (options.some((o) => o.optin !== undefined)) this.optin = 'optional';
    if (options.some((o) => o.optout === 'optional')) this.optout = 'optional';
  }
  protected parse(value: unknown): Payload {
    const results = this.options.map((o) => o.run(value));
    const passed = results.find((r) => r.issues.length === 0);
    if (passed) return passed;
    // Only one option failed on a bound or a refinement alone (an empty path, say): its problem is the one to tell.
    const near = results.filter((r) => !aborted(r));
    if (near.length === 1) return near[0]!;
    const message = 'Invalid input';
    return { value, issues: [{ code: 'invalid_union', path: [], input: value, message }] };
  }
  protected schema(of: (s: Schema) => JsonSchema): JsonSchema {
    return { anyOf: this.options.map(of) };
  }
}

/** One of several objects, chosen by the value of one key (`provider`). */
class DiscriminatedSchema<O extends readonly ObjectSchema<Shape>[]> extends Schema<
  O[number]['_output'],
  O[number]['_input']
> {
  constructor(
    private readonly key: string,
    private readonly options: O,
  ) {
    super();
  }
  protected parse(value: unknown): Payload {
    if (!isObject(value)) return { value, issues: [invalidType('object', value)] };
    const option = this.options.find((o) => o.shape[this.key]!.run(value[this.key]).issues.length === 0);
    if (option) return option.run(value);
    const message = 'No matching discriminator';
    return { value, issues: [{ code: 'invalid_union', note: message, path: [this.key], input: value, message }] };
  }
  protected schema(of: (s: Schema) => JsonSchema): JsonSchema {
    return { oneOf: this.options.map(of) };
  }
}

class Transform<T> extends Schema<T, unknown> {
  constructor(private readonly fn: (value: unknown) => T) {
    super();
    this.optin = 'optional';
  }
  protected parse(value: unknown): Payload {
    return { value: this.fn(value), issues: [] };
  }
  protected schema(): JsonSchema {
    return {};
  }
}

/** `first`, then `then` on what it gives (not when `first` found a problem). */
class Pipe<Out, In> extends Schema<Out, In> {
  constructor(
    private readonly first: Schema<unknown, In>,
    private readonly then: Schema<Out, unknown>,
  ) {
    super();
    // A transform first (a preprocess) takes anything: whether the key may be absent is the next schema's to say.
    this.optin = first instanceof Transform ? then.optin : first.optin;
    this.optout = then.optout;
  }
  protected parse(value: unknown): Payload {
    const left = this.first.run(value);
    if (left.issues.some((i) => i.code !== 'unrecognized_keys')) return { ...left, aborted: true };
    const right = this.then.run(left.value);
    return { ...right, issues: [...left.issues, ...right.issues] };
  }
  protected schema(of: (s: Schema) => JsonSchema): JsonSchema {
    // What is written: the input of a transform's output, or the first schema's input.
    return of(this.first instanceof Transform ? this.then : this.first);
  }
}

class Optional<Out, In> extends Schema<Out | undefined, In | undefined> {
  constructor(private readonly inner: Schema<Out, In>) {
    super();
    this.optin = inner.optin === 'defaulted' ? 'defaulted' : 'optional';
    this.optout = 'optional';
  }
  protected parse(value: unknown): Payload {
    if (value !== undefined) return this.inner.run(value);
    if (this.inner.optin !== 'defaulted') return { value, issues: [] };
    const r = this.inner.run(value);
    return { value: r.issues.length ? undefined : r.value, issues: [] };
  }
  protected schema(of: (s: Schema) => JsonSchema): JsonSchema {
    return of(this.inner);
  }
}

class Default<Out, In> extends Schema<Exclude<Out, undefined>, In | undefined> {
  constructor(
    private readonly inner: Schema<Out, In>,
    private readonly fallback: unknown,
    /** The fallback is checked like a written value (a prefault), not taken as it is. */
    private readonly checked: boolean,
  ) {
    super();
    this.optin = 'defaulted';
    this.optout = inner.optout;
  }
  protected parse(value: unknown): Payload {
    if (value === undefined && !this.checked) return { value: copy(this.fallback), issues: [] };
    const r = this.inner.run(value === undefined ? copy(this.fallback) : value);
    if (r.value === undefined && !this.checked) r.value = copy(this.fallback);
    return r;
  }
  protected schema(of: (s: Schema) => JsonSchema): JsonSchema {
    return { ...of(this.inner), default: copy(this.fallback) };
  }
}

export const string = (params?: { error?: (issue: { input: unknown }) => string | undefined }) =>
  new StringSchema(params?.error);
export const number = () => new NumberSchema();
export const boolean = () => new BooleanSchema();
export const literal = <T extends string | number>(value: T) => new ValueSchema<T>([value], true);
const enumOf = <const T extends readonly string[]>(values: T) => new ValueSchema<T[number]>(values, false);
export { enumOf as enum };
export const array = <S extends Schema<unknown, unknown>>(item: S) => new ArraySchema(item);
export const strictObject = <S extends Shape>(shape: S) => new ObjectSchema(shape);
export const union = <O extends Options>(options: O) => new UnionSchema(options);
export const discriminatedUnion = <O extends readonly ObjectSchema<Shape>[]>(key: string, options: O) =>
  new DiscriminatedSchema(key, options);
export const preprocess = <S extends Schema<unknown, unknown>>(
  fn: (value: unknown) => unknown,
  schema: S,
): Schema<S['_output'], unknown> => new Pipe(new Transform(fn), schema as Schema<S['_output'], unknown>);

/** The JSON Schema of `schema` (draft 2020-12), each node offered to `override` once built. */
export function toJSONSchema(schema: Schema, override?: Override): JsonSchema {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...schema.toJson(override) };
}

export type infer<T extends Schema<unknown, unknown>> = T['_output'];

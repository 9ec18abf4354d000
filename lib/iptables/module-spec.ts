import { z } from 'zod';
import type { Codec } from './option-codecs';

/** One option of a match or target module: the spellings iptables accepts (first is canonical). */
export interface OptionSpec<T> {
  readonly flags: readonly [string, ...string[]];
  readonly codec: Codec<T>;
}

// Codec<T> both produces and consumes T, so a heterogeneous record of specs needs `any` here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOptionSpec = OptionSpec<any>;
export type OptionSpecs = Record<string, AnyOptionSpec>;

export interface ModuleSpec<N extends string = string, O extends OptionSpecs = OptionSpecs> {
  readonly name: N;
  /** In iptables-save's print order, which render follows. */
  readonly options: O;
}

export function opt<T>(codec: Codec<T>, ...flags: [string, ...string[]]): OptionSpec<T> {
  return { flags, codec };
}

export function moduleSpec<N extends string, O extends OptionSpecs>(name: N, options: O): ModuleSpec<N, O> {
  return { name, options };
}

type SpecValue<S> = S extends OptionSpec<infer T> ? T : never;

/** Every parsed option keeps its `!`: `{ value, negate }`. */
export type OptionShape<O extends OptionSpecs> = {
  [K in keyof O]: z.ZodOptional<z.ZodObject<{ value: z.ZodType<SpecValue<O[K]>>; negate: z.ZodBoolean }>>;
};

export function optionsSchema<O extends OptionSpecs>(options: O): z.ZodObject<OptionShape<O>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, spec] of Object.entries(options)) {
    shape[key] = z.object({ value: spec.codec.schema, negate: z.boolean() }).optional();
  }
  return z.object(shape as OptionShape<O>);
}

export type ModuleSchema<N extends string, O extends OptionSpecs> = z.ZodObject<{
  name: z.ZodLiteral<N>;
  options: z.ZodObject<OptionShape<O>>;
}>;

export function moduleSchema<N extends string, O extends OptionSpecs>(
  spec: ModuleSpec<N, O>,
): ModuleSchema<N, O> {
  return z.object({ name: z.literal(spec.name), options: optionsSchema(spec.options) });
}

type SchemaOf<S> = S extends ModuleSpec<infer N, infer O> ? ModuleSchema<N, O> : never;
type SchemasOf<T extends readonly unknown[]> = { -readonly [I in keyof T]: SchemaOf<T[I]> };

/** A zod union over a list of module specs, discriminated by module name. */
export function modulesUnion<const T extends readonly [ModuleSpec, ...ModuleSpec[]]>(specs: T) {
  const schemas = specs.map((spec) => moduleSchema(spec)) as unknown as SchemasOf<T>;
  return z.discriminatedUnion('name', schemas);
}

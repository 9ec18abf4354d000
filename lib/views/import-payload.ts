import { z } from 'zod';

/** Dumps pasted or uploaded on the import page, and what comes back. */

/** The most a whole import request may hold; a 10,000-service iptables-save is 25 MB. */
export const importBytesMax = 50 * 1024 * 1024;

/** Imported hosts are stored under this prefix, which no inventory host name can carry. */
export const importHostPrefix = 'import:';

export const ImportName = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    "use up to 64 letters, digits, '.', '_' and '-', starting with a letter or digit",
  );

export const ImportRequest = z.object({
  name: ImportName,
  files: z
    .array(
      z.object({
        /** The file name, or `pasted` for text typed into the page; named in parse errors. */
        name: z.string().trim().min(1).max(200),
        text: z.string(),
      }),
    )
    .min(1, 'give at least one dump: paste it or choose a file')
    .max(20),
});
export type ImportRequest = z.infer<typeof ImportRequest>;

export const ImportError = z.object({
  message: z.string(),
  /** Present for a parse error: where in which file. */
  file: z.string().nullable(),
  line: z.number().int().nullable(),
  column: z.number().int().nullable(),
});
export type ImportError = z.infer<typeof ImportError>;

export const ImportResponse = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), host: z.string(), rules: z.number().int().nonnegative() }),
  z.object({ ok: z.literal(false), error: ImportError }),
]);
export type ImportResponse = z.infer<typeof ImportResponse>;

export const ImportedHost = z.object({
  /** Store name, `import:NAME`: what host links use. */
  host: z.string(),
  name: z.string(),
  importedAt: z.string().nullable(),
  rules: z.number().int().nonnegative().nullable(),
});
export type ImportedHost = z.infer<typeof ImportedHost>;

export function importHostName(name: string): string {
  return `${importHostPrefix}${name}`;
}

// Which codec a program uses, from the metadata the build writes beside the
// programs (`<programDir>/../cobolambda/programs/<name>.json`); raw without it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Codec } from './codec.ts';
import { diagnostic, type Diagnostic } from '../diagnostic.ts';
import type { RecordLayout } from './copybook/layout.ts';
import type { RecordCodecOptions } from './record.ts';
import { rawCodec } from './raw.ts';
import type { BatchMetadata } from './batch/spec.ts';

/** What the build tells the runtime about one program. */
export interface ProgramMetadata {
  name: string;
  mode: 'raw' | 'lines' | 'record' | 'http' | 'call' | 'batch';
  /** record mode: the parsed input and output copybooks. */
  input?: RecordLayout;
  output?: RecordLayout;
  record?: RecordCodecOptions;
  /** call mode: the parsed `using` copybooks, one per parameter in USING order. */
  using?: RecordLayout[];
  /** batch mode: the files by DD name. */
  batch?: BatchMetadata;
}

export function metadataFile(programName: string, programDir: string): string {
  return join(programDir, '..', 'cobolambda', 'programs', `${programName}.json`);
}

/**
 * A function runs one program in one mode, so each mode's codec is imported when a program
 * needs it: every function reading all of them cost about 7 ms of cold start (`npm run bench`).
 */
export async function codecFor(
  programName: string,
  programDir: string,
  runtime: { maxResponseBytes: number; env: Record<string, string | undefined> } = { maxResponseBytes: 6_291_556, env: {} },
): Promise<Codec | Diagnostic> {
  const file = metadataFile(programName, programDir);
  if (!existsSync(file)) return rawCodec;
  let meta: ProgramMetadata;
  try {
    meta = JSON.parse(readFileSync(file, 'utf8')) as ProgramMetadata;
  } catch (err) {
    return diagnostic('Runtime.InvalidMetadata', `program metadata ${file} is not valid JSON: ${(err as Error).message}`);
  }
  switch (meta.mode) {
    case undefined:
    case 'raw':
      return rawCodec;
    case 'lines':
      return (await import('./lines.ts')).linesCodec;
    case 'record': {
      if (!meta.input || !meta.output) {
        return diagnostic('Runtime.InvalidMetadata', `program metadata ${file}: record mode needs input and output layouts`);
      }
      const [{ recordCodec }, { varseqFormat }] = await Promise.all([import('./record.ts'), import('./record-framing.ts')]);
      return recordCodec(meta.input, meta.output, { ...meta.record, varseqFormat: varseqFormat(runtime.env) });
    }
    case 'http':
      return (await import('./http.ts')).httpCodec;
    case 'call':
      if (!meta.using || meta.using.length === 0) {
        return diagnostic('Runtime.InvalidMetadata', `program metadata ${file}: call mode needs the layouts of its parameters (using)`);
      }
      return (await import('./call.ts')).callCodec(programName, meta.using, meta.record);
    case 'batch': {
      if (!meta.batch) return diagnostic('Runtime.InvalidMetadata', `program metadata ${file}: batch mode needs its files`);
      // libcob reads DD_<name> before anything else: one set by the function would be replaced without a word.
      const clash = meta.batch.files.find((f) => runtime.env[`DD_${f.ddName}`] !== undefined);
      if (clash) {
        return diagnostic('Runtime.InvalidConfiguration', `DD_${clash.ddName} is set in the function's environment, but batch mode gives the program its file ${clash.ddName}; remove the variable`);
      }
      const [{ batchCodec }, { varseqFormat }] = await Promise.all([import('./batch/index.ts'), import('./record-framing.ts')]);
      return batchCodec(meta.batch, { programName, maxResponseBytes: runtime.maxResponseBytes, varseqFormat: varseqFormat(runtime.env) });
    }
    default:
      return diagnostic('Runtime.InvalidMetadata', `program metadata ${file}: unknown mode ${JSON.stringify(meta.mode)}`);
  }
}

// The metadata the runtime reads for a program: its mode and, in record and call
// mode, the copybook layouts parsed at build time so the runtime never parses COBOL.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CONFIG_FILE, type CopybookReference, type ProgramSpec } from './programs.ts';
import { applyRecordSettings, RecordSettingsError } from '../runtime/src/codecs/copybook/record-settings.ts';
import type { RecordCodecOptions } from '../runtime/src/codecs/record.ts';
import { recordSizeMismatch, stdioFiles, type StdioFile } from './record-files.ts';
import type { ProgramMetadata } from '../runtime/src/codecs/index.ts';
import { parseCopybook, dialectForStd, CopybookError, decodeRecord, encodeRecord, type RecordLayout } from '../runtime/src/codecs/copybook/index.ts';
import { findCopybook, formatAtCopy, initialSourceFormat } from './copybooks.ts';
import { textColumnFor } from './text-column.ts';
import { batchMetadata } from './batch.ts';
import { withRecordSizes } from './batch-record-sizes.ts';

export class MetadataError extends Error {
  override name = 'MetadataError';
}

function loadLayout(spec: ProgramSpec, reference: CopybookReference, role: string): RecordLayout {
  const { copybook } = reference;
  const file = findCopybook(copybook, spec.copybookDirs);
  if (!file) {
    throw new MetadataError(`${spec.source}: ${role} copybook ${copybook} not found in ${spec.copybookDirs.join(', ')}`);
  }
  let textColumn: number;
  try {
    textColumn = textColumnFor(spec);
  } catch (err) {
    throw new MetadataError(`${spec.source}: ${(err as Error).message}`);
  }
  try {
    return parseCopybook(readFileSync(file, 'latin1'), {
      fileName: file,
      dialect: dialectForStd(spec.std),
      replacing: Object.entries(reference.replacing ?? {}),
      record: reference.record,
      format: formatAtCopy(spec.source, file, spec.copybookDirs, initialSourceFormat(spec.cobcFlags), textColumn),
      textColumn,
      resolveCopy: (name) => {
        const nested = findCopybook(name, spec.copybookDirs);
        if (!nested) throw new MetadataError(`${file}: COPY ${name} not found in ${spec.copybookDirs.join(', ')}`);
        return readFileSync(nested, 'latin1');
      },
    });
  } catch (err) {
    if (err instanceof CopybookError) throw new MetadataError(err.message);
    throw err;
  }
}

/** Throws MetadataError (file, line, clause) when a copybook cannot be mapped. */
export function programMetadata(spec: ProgramSpec): ProgramMetadata {
  if (spec.configError) throw new MetadataError(spec.configError);
  const meta: ProgramMetadata = { name: spec.name, mode: spec.mode };
  if (spec.mode === 'record') {
    const [input, output] = configured(spec, [loadLayout(spec, spec.input!, 'record mode input'), loadLayout(spec, spec.output!, 'record mode output')]);
    meta.input = input;
    meta.output = output;
    meta.record = recordFraming(spec, input!, output!);
  }
  if (spec.mode === 'call') meta.using = usingLayouts(spec);
  if (spec.batch) {
    const batch = batchMetadata(spec.batch, spec.cobcFlags, (copybook, role) => loadLayout(spec, typeof copybook === 'string' ? { copybook } : copybook, role));
    meta.batch = { ...batch, files: withRecordSizes(spec, batch.files, (message) => { throw new MetadataError(message); }) };
  }
  return meta;
}

/** call mode: the layouts of the parameters, one per `using` copybook in order, with the record settings applied. */
export function usingLayouts(spec: ProgramSpec): RecordLayout[] {
  return configured(
    spec,
    (spec.using ?? []).map((reference, i) => loadLayout(spec, reference, `call mode parameter ${i + 1} (using)`)),
  );
}

/**
 * A payload to try a call-mode program with, when `example` does not give one:
 * each parameter as the copybook leaves it (its VALUEs, else spaces and zeros).
 */
export function callExampleEvent(spec: ProgramSpec): string | undefined {
  if (spec.mode !== 'call') return undefined;
  try {
    const parameters = usingLayouts(spec).map((layout) => decodeRecord(layout, encodeRecord(layout, {})));
    return JSON.stringify(parameters.length === 1 ? parameters[0] : parameters);
  } catch (err) {
    // The build reports a copybook it cannot read; there is just no example then.
    if (err instanceof MetadataError) return undefined;
    throw err;
  }
}

/**
 * Bare records or length-prefixed ones, as cobc lays out the files the program ASSIGNs to
 * /dev/stdin and /dev/stdout; and a copybook whose length is not its file's record length
 * is refused, since every record after the first would be read shifted.
 */
function recordFraming(spec: ProgramSpec, input: RecordLayout, output: RecordLayout): RecordCodecOptions {
  const files = stdioFiles(spec);
  const options: RecordCodecOptions = {};
  const check = (file: StdioFile | undefined, layout: RecordLayout, role: 'input' | 'output', device: string): void => {
    if (!file || file.organization !== 'sequential') return;
    const mismatch = recordSizeMismatch(spec.source, file, device, layout, role);
    if (mismatch) throw new MetadataError(mismatch);
    if (file.recordMin !== file.recordMax) options[role === 'input' ? 'inputFraming' : 'outputFraming'] = 'variable';
  };
  check(files.stdin, input, 'input', '/dev/stdin');
  check(files.stdout, output, 'output', '/dev/stdout');
  return options;
}

/** The layouts with the program's record settings (encoding, fields, redefines) applied. */
export function configured(spec: ProgramSpec, layouts: RecordLayout[]): RecordLayout[] {
  try {
    return applyRecordSettings(layouts, spec.record, `${join(dirname(spec.source), CONFIG_FILE)}: programs.${spec.name}`);
  } catch (err) {
    if (err instanceof RecordSettingsError) throw new MetadataError(err.message);
    throw err;
  }
}

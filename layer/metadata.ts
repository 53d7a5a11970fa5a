// The metadata the runtime reads for a program: its mode and, in record mode,
// the copybook layouts parsed at build time so the runtime never parses COBOL.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CONFIG_FILE, type CopybookReference, type ProgramSpec } from './programs.ts';
import { applyRecordSettings, RecordSettingsError } from '../runtime/src/codecs/copybook/record-settings.ts';
import type { ProgramMetadata } from '../runtime/src/codecs/index.ts';
import { parseCopybook, dialectForStd, CopybookError, type RecordLayout } from '../runtime/src/codecs/copybook/index.ts';
import { findCopybook, formatAtCopy, initialSourceFormat } from './copybooks.ts';

export class MetadataError extends Error {
  override name = 'MetadataError';
}

function loadLayout(spec: ProgramSpec, reference: CopybookReference, role: 'input' | 'output'): RecordLayout {
  const { copybook } = reference;
  const file = findCopybook(copybook, spec.copybookDirs);
  if (!file) {
    throw new MetadataError(`${spec.source}: record mode ${role} copybook ${copybook} not found in ${spec.copybookDirs.join(', ')}`);
  }
  try {
    return parseCopybook(readFileSync(file, 'latin1'), {
      fileName: file,
      dialect: dialectForStd(spec.std),
      replacing: Object.entries(reference.replacing ?? {}),
      record: reference.record,
      format: formatAtCopy(spec.source, file, spec.copybookDirs, initialSourceFormat(spec.cobcFlags)),
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
    [meta.input, meta.output] = configured(spec, [loadLayout(spec, spec.input!, 'input'), loadLayout(spec, spec.output!, 'output')]);
  }
  return meta;
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

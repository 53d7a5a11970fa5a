// The metadata the runtime reads for a program: its mode and, in record mode,
// the copybook layouts parsed at build time so the runtime never parses COBOL.
import { readFileSync } from 'node:fs';
import type { ProgramSpec } from './programs.ts';
import type { ProgramMetadata } from '../runtime/src/codecs/index.ts';
import { parseCopybook, dialectForStd, CopybookError, type RecordLayout } from '../runtime/src/codecs/copybook/index.ts';
import { findCopybook } from './copybooks.ts';
import { batchMetadata } from './batch.ts';

export class MetadataError extends Error {
  override name = 'MetadataError';
}

function loadLayout(spec: ProgramSpec, copybook: string, role: string): RecordLayout {
  const file = findCopybook(copybook, spec.copybookDirs);
  if (!file) {
    throw new MetadataError(`${spec.source}: ${spec.mode} mode ${role} copybook ${copybook} not found in ${spec.copybookDirs.join(', ')}`);
  }
  try {
    return parseCopybook(readFileSync(file, 'latin1'), {
      fileName: file,
      dialect: dialectForStd(spec.std),
      format: spec.cobcFlags.includes('-free') ? 'free' : 'auto',
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
  const meta: ProgramMetadata = { name: spec.name, mode: spec.mode };
  if (spec.mode === 'record') {
    meta.input = loadLayout(spec, spec.input!, 'input');
    meta.output = loadLayout(spec, spec.output!, 'output');
  }
  if (spec.batch) meta.batch = batchMetadata(spec.batch, spec.cobcFlags, (copybook, role) => loadLayout(spec, copybook, role));
  return meta;
}

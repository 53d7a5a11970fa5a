// The metadata the runtime reads for a program: its mode and, in record and call
// mode, the copybook layouts parsed at build time so the runtime never parses COBOL.
import { readFileSync } from 'node:fs';
import type { ProgramSpec } from './programs.ts';
import type { ProgramMetadata } from '../runtime/src/codecs/index.ts';
import { parseCopybook, dialectForStd, CopybookError, decodeRecord, encodeRecord, type RecordLayout } from '../runtime/src/codecs/copybook/index.ts';
import { findCopybook } from './copybooks.ts';

export class MetadataError extends Error {
  override name = 'MetadataError';
}

function loadLayout(spec: ProgramSpec, copybook: string, role: string): RecordLayout {
  const file = findCopybook(copybook, spec.copybookDirs);
  if (!file) {
    throw new MetadataError(`${spec.source}: ${role} copybook ${copybook} not found in ${spec.copybookDirs.join(', ')}`);
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
    meta.input = loadLayout(spec, spec.input!, 'record mode input');
    meta.output = loadLayout(spec, spec.output!, 'record mode output');
  }
  if (spec.mode === 'call') meta.using = usingLayouts(spec);
  return meta;
}

/** call mode: the layouts of the parameters, one per `using` copybook, in order. */
export function usingLayouts(spec: ProgramSpec): RecordLayout[] {
  return (spec.using ?? []).map((copybook, i) => loadLayout(spec, copybook, `call mode parameter ${i + 1} (using)`));
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

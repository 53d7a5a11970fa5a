// Which of a batch program's record files cobc makes variable-length, read from
// cobc's own description of the program's files (the SELECT ... ASSIGN TO <DD>):
// those are read and written with a length header per record, and the runtime
// needs their smallest and largest record to check each header.
import type { BatchFile } from '../runtime/src/codecs/batch/spec.ts';
import type { ProgramSpec } from './programs.ts';
import { programFiles, recordSizeMismatch } from './record-files.ts';

/** The files with their record sizes; throws `problem(message)` when a copybook cannot describe its file. */
export function withRecordSizes(spec: ProgramSpec, files: BatchFile[], problem: (message: string) => never): BatchFile[] {
  const settings = spec.batch?.files ?? {};
  if (!files.some((f) => f.format === 'records')) return files;
  const described = programFiles(spec);
  return files.map((file) => {
    if (file.format !== 'records') return file;
    const recordFormat = settings[file.ddName]?.recordFormat;
    // libcob looks the name up as written: only a file ASSIGNed to exactly this DD name gets it.
    const fd = described.find((f) => f.assign === file.ddName && f.organization === 'sequential');
    const variable = fd !== undefined && fd.recordMin !== fd.recordMax;
    if (fd) {
      const mismatch = recordSizeMismatch(spec.source, fd, file.ddName, file.layout!, `file ${file.ddName}`);
      if (mismatch) problem(mismatch);
    }
    if (!variable) {
      if (recordFormat) problem(`${spec.source}: files.${file.ddName}.recordFormat: the program's file ${fd?.select ?? file.ddName} has fixed-length records; recordFormat frames variable-length ones`);
      return file;
    }
    return { ...file, variable: { minLength: fd.recordMin, maxLength: fd.recordMax, recordFormat: recordFormat ?? 'rdw' } };
  });
}

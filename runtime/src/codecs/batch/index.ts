// `batch` mode: a file-processing program run unchanged, its datasets by DD
// name. Before the run each input is written to a fresh work directory (from
// the event, or streamed from S3) and every file's path is given to the program
// as DD_<name>, the variable libcob reads first (then dd_<name>, then <name>);
// after it, the outputs come back inline or are streamed to S3, and RETURN-CODE
// up to maxReturnCode is success, as a JCL step's condition code. An inout file
// is both: written before the run, given back after it.
import { createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Codec, FileSession } from '../codec.ts';
import { diagnostic, type Diagnostic } from '../../diagnostic.ts';
import type { InvocationContext } from '../../context.ts';
import type { BatchFile, BatchMetadata } from './spec.ts';
import { parseBatchEvent, parseS3Url, BatchEventError, type InputSource, type OutputTarget } from './event.ts';
import { inlineInput, inlineOutput, InlineDataError } from './inline.ts';
import { Transcoder, TranscodeError } from './transcode.ts';
import { freeBytes, makeWorkDir, megabytes, removeWorkDir } from './work-dir.ts';
import type { VarseqFormat } from '../record-framing.ts';

export interface BatchCodecOptions {
  /** Lambda's response limit: inline outputs above it fail with a hint to use S3. */
  maxResponseBytes: number;
  programName: string;
  /** The function's COB_VARSEQ_FORMAT: the headers of the program's variable-length records. */
  varseqFormat: VarseqFormat;
}

type S3Module = typeof import('./s3.ts');
let s3Module: Promise<S3Module> | undefined;
const loadS3 = (): Promise<S3Module> => (s3Module ??= import('./s3.ts'));

/** A file's problem, reported with its DD name. */
class FileProblem extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

type OutputListing = unknown[] | { base64: string } | { s3: string; bytes: number; records?: number } | { s3: string; written: false } | null;

export function batchCodec(meta: BatchMetadata, options: BatchCodecOptions): Codec {
  // Loading the S3 client takes a few hundred ms: a function configured with S3 files pays it at init, not in its first invocation.
  if (meta.s3Trigger || meta.files.some((f) => f.s3 || f.to)) loadS3().catch(() => {});
  return {
    encodeInput: () => Buffer.alloc(0),
    decodeOutput: () => diagnostic('Runtime.InvalidMetadata', 'batch mode answers through its file session'),
    async openSession(event, context) {
      let request;
      try {
        request = parseBatchEvent(event, meta);
      } catch (err) {
        if (err instanceof BatchEventError) return diagnostic('Function.InvalidEvent', err.message);
        throw err;
      }
      const dir = await makeWorkDir();
      const env: Record<string, string> = {};
      for (const file of meta.files) env[`DD_${file.ddName}`] = join(dir, `${file.ddName}.dat`);
      try {
        for (const [file, source] of request.inputs) await writeInput(file, source, env[`DD_${file.ddName}`]!, dir, meta, context, options.varseqFormat);
      } catch (err) {
        await removeWorkDir(dir);
        return problemDiagnostic(err);
      }
      return new BatchSession(meta, options, dir, env, request.outputs, context);
    },
  };
}

function problemDiagnostic(err: unknown): Diagnostic {
  if (err instanceof FileProblem) return diagnostic(err.errorType, err.message);
  throw err;
}

async function writeInput(file: BatchFile, source: InputSource, path: string, dir: string, meta: BatchMetadata, context: InvocationContext, varseq: VarseqFormat): Promise<void> {
  const name = `file ${file.ddName}`;
  const fits = async (size: number): Promise<string | undefined> => {
    const free = await freeBytes(dir);
    return size > free ? `is ${megabytes(size)}, more than the ${megabytes(free)} free in ${dir}; give the function more ephemeralStorageMb` : undefined;
  };
  const transcoder = new Transcoder(file, 'to-native', meta.nativeSign, varseq);
  try {
    if (source.kind === 's3') {
      const where = parseS3Url(source.url, context.requestId);
      if (!where) throw new FileProblem('Function.InvalidEvent', `${name}: ${source.url} is not an s3://bucket/key URL`);
      const s3 = await loadS3();
      await s3.downloadObject(where.bucket, where.key, path, transcoder, fits);
      return;
    }
    const data = source.kind === 'bytes' ? source.data : inlineInput(file, source.values, varseq);
    const tooLarge = await fits(data.length);
    if (tooLarge) throw new FileProblem('Function.InputFileTooLarge', `${name} ${tooLarge}`);
    // Inline records and lines are already the program's bytes; given bytes are the dataset as stored.
    if (source.kind === 'inline') await pipeline(Readable.from([data]), createWriteStream(path));
    else await pipeline(Readable.from([data]), transcoder, createWriteStream(path));
  } catch (err) {
    if (err instanceof FileProblem) throw err;
    if (err instanceof InlineDataError) {
      throw new FileProblem('Function.InvalidEvent', `${name} does not fit ${describeFormat(file)}: ${err.problems.map((p) => `files.${file.ddName}${p}`).join('; ')}`);
    }
    if (err instanceof TranscodeError) throw new FileProblem('Function.InvalidInputFile', `${name} is not valid ${file.encoding} ${describeFormat(file)}: ${err.message}`);
    if ((err as Error).name === 'S3FileError') {
      const message = (err as Error).message;
      throw new FileProblem(message.includes('free in') ? 'Function.InputFileTooLarge' : 'Function.InputFileError', `${name}: ${message}`);
    }
    throw new FileProblem('Function.InputFileError', `${name} could not be written to ${path}: ${(err as Error).message}`);
  }
}

function describeFormat(file: BatchFile): string {
  return file.format === 'records' ? `${basename(file.layout!.fileName)} (record ${file.layout!.name})` : `${file.format}`;
}

class BatchSession implements FileSession {
  constructor(
    private readonly meta: BatchMetadata,
    private readonly options: BatchCodecOptions,
    private readonly dir: string,
    readonly env: Record<string, string>,
    private readonly outputs: Map<BatchFile, OutputTarget>,
    private readonly context: InvocationContext,
  ) {}

  async finish({ code, stdout, stderrTail }: { code: number; stdout: Buffer; stderrTail: string[] }): Promise<Buffer | Diagnostic> {
    const failed = code > this.meta.maxReturnCode;
    let files: Record<string, OutputListing>;
    try {
      files = await this.collectOutputs(failed);
    } catch (err) {
      return problemDiagnostic(err);
    }
    // DISPLAY output as lines mode answers it: one string a line, trailing spaces dropped.
    const sysout = stdout.length ? stdout.toString('utf8').split('\n').filter((l, i, all) => i < all.length - 1 || l !== '').map((l) => l.replace(/ +$/, '')) : undefined;
    const result = { returnCode: code, files, ...(sysout ? { stdout: sysout } : {}) };
    if (failed) {
      const libcob = [...stderrTail].reverse().find((l) => l.includes('libcob:'));
      const kept = Object.entries(files).flatMap(([dd, listing]) => (listing && 'written' in listing ? [`${dd} was not written back over ${listing.s3}, its source, so the step can run again`] : []));
      return {
        ...diagnostic(
          'Function.ProgramExitError',
          `program ${this.options.programName} ended with RETURN-CODE ${code}, above its maxReturnCode ${this.meta.maxReturnCode}${libcob ? `: ${libcob}` : ''}; its outputs were still written (details.files)${kept.map((k) => `; ${k}`).join('')}`,
          stderrTail,
        ),
        details: result,
      };
    }
    const body = Buffer.from(JSON.stringify(result));
    if (body.length > this.options.maxResponseBytes) {
      return diagnostic(
        'Function.ResponseSizeTooLarge',
        `the response with the inline outputs is ${body.length} bytes, more than Lambda's ${this.options.maxResponseBytes}; name an S3 target for the large outputs ({"files": {"DDNAME": {"s3": "s3://bucket/key"}}})`,
      );
    }
    return body;
  }

  /** `failed`: the step ended above maxReturnCode; an inout file is then not written over its own source. */
  private async collectOutputs(failed: boolean): Promise<Record<string, OutputListing>> {
    const files: Record<string, OutputListing> = {};
    let inlineBytes = 0;
    for (const [file, target] of this.outputs) {
      const path = this.env[`DD_${file.ddName}`]!;
      const size = await stat(path).then((s) => s.size, () => undefined);
      // An output the program never opened is not there: null, and nothing is uploaded.
      if (size === undefined) {
        files[file.ddName] = null;
        continue;
      }
      if (target.kind === 's3' && target.inPlace && failed) {
        const where = parseS3Url(target.url, this.context.requestId);
        files[file.ddName] = { s3: where ? `s3://${where.bucket}/${where.key}` : target.url, written: false };
        continue;
      }
      if (target.kind === 's3') {
        files[file.ddName] = await this.upload(file, target.url, path);
        continue;
      }
      inlineBytes += size;
      if (inlineBytes > this.options.maxResponseBytes) {
        throw new FileProblem(
          'Function.ResponseSizeTooLarge',
          `file ${file.ddName} is ${size} bytes: the inline outputs exceed Lambda's ${this.options.maxResponseBytes}-byte response; name an S3 target for it ({"files": {"${file.ddName}": {"s3": "s3://bucket/key"}}})`,
        );
      }
      try {
        files[file.ddName] = inlineOutput(file, await readFile(path), this.options.varseqFormat) as OutputListing;
      } catch (err) {
        if (err instanceof InlineDataError) throw new FileProblem('Function.InvalidOutput', `file ${file.ddName} (${describeFormat(file)}): ${err.message}`);
        throw err;
      }
    }
    return files;
  }

  private async upload(file: BatchFile, url: string, path: string): Promise<OutputListing> {
    const where = parseS3Url(url, this.context.requestId);
    if (!where) throw new FileProblem('Function.InvalidEvent', `file ${file.ddName}: ${url} is not an s3://bucket/key URL`);
    const transcoder = new Transcoder(file, 'to-ebcdic', this.meta.nativeSign, this.options.varseqFormat);
    try {
      const s3 = await loadS3();
      await s3.uploadObject(where.bucket, where.key, path, transcoder);
    } catch (err) {
      if (err instanceof TranscodeError) throw new FileProblem('Function.InvalidOutput', `file ${file.ddName}: ${err.message}`);
      throw new FileProblem('Function.OutputFileError', `file ${file.ddName}: ${(err as Error).message}`);
    }
    const listing = { s3: `s3://${where.bucket}/${where.key}`, bytes: transcoder.bytes };
    return file.format === 'bytes' ? listing : { ...listing, records: transcoder.records };
  }

  async dispose(): Promise<void> {
    await removeWorkDir(this.dir);
  }
}

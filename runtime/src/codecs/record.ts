// `record` mode: the event is a JSON object (or an array of them) described by
// the input copybook; each becomes one fixed-length record on stdin, with no
// separator (binary fields may hold 0x0A). The program's stdout is a sequence
// of fixed-length records described by the output copybook; each becomes a
// JSON object. An object event answers an object when the program wrote
// exactly one record, else an array; an array event always answers an array.
import type { Codec } from './codec.ts';
import { diagnostic } from '../diagnostic.ts';
import { encodeRecord, decodeRecord, RecordDataError, type EncodeOptions } from './copybook/data.ts';
import type { RecordLayout } from './copybook/layout.ts';
import { parseEventJson } from './copybook/numbers.ts';
import { frameRecords, splitRecords, type Framing, type VarseqFormat } from './record-framing.ts';

export interface RecordCodecOptions extends EncodeOptions {
  /** How records follow each other on stdin and stdout, as cobc lays out the program's files (build time). */
  inputFraming?: Framing;
  outputFraming?: Framing;
  /** The header of variable records: the function's COB_VARSEQ_FORMAT (run time). */
  varseqFormat?: VarseqFormat;
}

export function recordCodec(input: RecordLayout, output: RecordLayout, options: RecordCodecOptions = {}): Codec {
  const format = options.varseqFormat ?? 0;
  // Lambda hands a runtime one invocation at a time: the shape of the last event decides the shape of its response.
  let lastEventWasArray: boolean | undefined;
  return {
    encodeInput(event) {
      lastEventWasArray = undefined;
      let parsed: unknown;
      try {
        parsed = parseEventJson(event.toString('utf8'));
      } catch (err) {
        return diagnostic('Function.InvalidEvent', `record mode: the event is not JSON (${(err as Error).message})`);
      }
      const records = Array.isArray(parsed) ? parsed : [parsed];
      const chunks: Buffer[] = [];
      const problems: string[] = [];
      records.forEach((value, i) => {
        try {
          chunks.push(encodeRecord(input, value, options, Array.isArray(parsed) ? `[${i}]` : ''));
        } catch (err) {
          if (!(err instanceof RecordDataError)) throw err;
          problems.push(...err.problems.map((p) => (p.path ? `${p.path}: ${p.problem}` : p.problem)));
        }
      });
      if (problems.length > 0) {
        const shown = problems.slice(0, 20);
        return diagnostic(
          'Function.InvalidEvent',
          `the event does not fit ${input.fileName} (record ${input.name}): ${shown.join('; ')}${problems.length > shown.length ? `; and ${problems.length - shown.length} more` : ''}`,
          shown,
        );
      }
      lastEventWasArray = Array.isArray(parsed);
      return frameRecords(input, chunks, options.inputFraming ?? 'fixed', format);
    },
    decodeOutput({ stdout }) {
      const records = splitRecords(output, stdout, options.outputFraming ?? 'fixed', format);
      if (typeof records === 'string') return diagnostic('Function.InvalidOutput', records);
      const objects: unknown[] = [];
      for (const [i, record] of records.entries()) {
        try {
          objects.push(decodeRecord(output, record, `[${i}]`));
        } catch (err) {
          if (!(err instanceof RecordDataError)) throw err;
          return diagnostic('Function.InvalidOutput', `output record ${i + 1} does not fit ${output.fileName} (record ${output.name}): ${err.message}`);
        }
      }
      const asArray = lastEventWasArray ?? objects.length !== 1;
      const response = asArray || objects.length !== 1 ? objects : objects[0];
      return Buffer.from(JSON.stringify(response));
    },
  };
}

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

export interface RecordCodecOptions extends EncodeOptions {}

export function recordCodec(input: RecordLayout, output: RecordLayout, options: RecordCodecOptions = {}): Codec {
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
      return Buffer.concat(chunks);
    },
    decodeOutput({ stdout }) {
      if (stdout.length % output.length !== 0) {
        return diagnostic(
          'Function.InvalidOutput',
          `the program wrote ${stdout.length} bytes to stdout, not a whole number of ${output.length}-byte ${output.name} records (${output.fileName}); ` +
            'write records with no separator (ORGANIZATION SEQUENTIAL) and DISPLAY only UPON SYSERR',
        );
      }
      const objects: unknown[] = [];
      const count = stdout.length / output.length;
      for (let i = 0; i < count; i++) {
        try {
          objects.push(decodeRecord(output, stdout.subarray(i * output.length, (i + 1) * output.length), `[${i}]`));
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

// `call` mode: a LINKAGE SECTION subprogram, CALLed with its parameters BY
// REFERENCE by the driver the build links with it (runtime/native/call-driver.c).
//
// In:  one parameter: a JSON object; several: an array of one object per
//      parameter, in USING order. Each is encoded with its `using` copybook as
//      record mode encodes a record; the areas go to stdin back to back.
// Out: the areas as the program left them, then its RETURN-CODE (4 bytes,
//      big-endian). The response is the parameter (or the array of parameters)
//      decoded back, as a COMMAREA comes back to its caller. A RETURN-CODE other
//      than 0 is Function.ProgramExitError, with the decoded parameters in its
//      stackTrace, one JSON text each.
import type { Codec } from './codec.ts';
import { diagnostic } from '../diagnostic.ts';
import { encodeRecord, decodeRecord, parseEventJson, RecordDataError, type EncodeOptions, type RecordLayout } from './copybook/index.ts';

const RETURN_CODE_BYTES = 4;
const MAX_PROBLEMS_SHOWN = 20;

export function callCodec(program: string, parameters: RecordLayout[], options: EncodeOptions = {}): Codec {
  const single = parameters.length === 1;
  const areasLength = parameters.reduce((n, p) => n + p.length, 0);
  const describeParameter = (p: RecordLayout, i: number) => `parameter ${i + 1} (${p.fileName}, record ${p.name})`;

  return {
    encodeInput(event) {
      let parsed: unknown;
      try {
        parsed = parseEventJson(event.toString('utf8'));
      } catch (err) {
        return diagnostic('Function.InvalidEvent', `call mode: the event is not JSON (${(err as Error).message})`);
      }
      if (!single && (!Array.isArray(parsed) || parsed.length !== parameters.length)) {
        const got = Array.isArray(parsed) ? `an array of ${parsed.length}` : 'not an array';
        return diagnostic(
          'Function.InvalidEvent',
          `call mode: program ${program} takes ${parameters.length} parameters (${parameters.map(describeParameter).join(', ')}): ` +
            `send an array of ${parameters.length} objects, one per parameter in USING order; the event is ${got}`,
        );
      }
      const values: unknown[] = single ? [parsed] : (parsed as unknown[]);
      const areas: Buffer[] = [];
      const problems: string[] = [];
      parameters.forEach((layout, i) => {
        try {
          areas.push(encodeRecord(layout, values[i], options, single ? '' : `[${i}]`));
        } catch (err) {
          if (!(err instanceof RecordDataError)) throw err;
          problems.push(...err.problems.map((p) => (p.path ? `${p.path}: ${p.problem}` : p.problem)));
        }
      });
      if (problems.length > 0) {
        const shown = problems.slice(0, MAX_PROBLEMS_SHOWN);
        const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : '';
        return diagnostic(
          'Function.InvalidEvent',
          `the event does not fit the parameters of program ${program} (${parameters.map(describeParameter).join(', ')}): ${shown.join('; ')}${more}`,
          shown,
        );
      }
      return Buffer.concat(areas);
    },

    decodeOutput({ stdout }) {
      if (stdout.length !== areasLength + RETURN_CODE_BYTES) {
        return stdout.length === 0
          ? diagnostic(
              'Function.ProgramExitError',
              `program ${program} exited with status 0 without returning to its caller (a STOP RUN?), so its parameters never came back; end it with GOBACK or EXIT PROGRAM`,
            )
          : diagnostic(
              'Function.InvalidOutput',
              `program ${program}: its caller wrote ${stdout.length} bytes, not the ${areasLength + RETURN_CODE_BYTES} of its parameters and RETURN-CODE (was it built by this cobolambda?)`,
            );
      }
      const returnCode = stdout.readInt32BE(areasLength);
      const decoded: unknown[] = [];
      let undecodable: string | undefined;
      let at = 0;
      for (const [i, layout] of parameters.entries()) {
        try {
          decoded.push(decodeRecord(layout, stdout.subarray(at, at + layout.length), single ? '' : `[${i}]`));
        } catch (err) {
          if (!(err instanceof RecordDataError)) throw err;
          undecodable = `program ${program} left ${describeParameter(layout, i)} holding data that does not fit its copybook: ${err.message}`;
          break;
        }
        at += layout.length;
      }
      if (returnCode !== 0) {
        return diagnostic(
          'Function.ProgramExitError',
          `program ${program} returned RETURN-CODE ${returnCode}; ` +
            (undecodable ? `and ${undecodable}` : `stackTrace holds its ${single ? 'parameter as it stands' : 'parameters as they stand'} after the call`),
          undecodable ? [] : decoded.map((d) => JSON.stringify(d)),
        );
      }
      if (undecodable) return diagnostic('Function.InvalidOutput', undecodable);
      return Buffer.from(JSON.stringify(single ? decoded[0] : decoded));
    },
  };
}

// Which codec a program uses. Raw unless the build wrote metadata saying otherwise.
import type { Codec } from './codec.ts';
import type { Diagnostic } from '../diagnostic.ts';
import { rawCodec } from './raw.ts';

export function codecFor(_programName: string, _programDir: string): Codec | Diagnostic {
  return rawCodec;
}

// A bootstrap's output, cut into lines. Bytes arrive in whatever chunks the pipe
// gives, which may split a UTF-8 character: a streaming decoder keeps the
// unfinished bytes for the next chunk instead of turning them into U+FFFD.
import { StringDecoder } from 'node:string_decoder';

export class LineReader {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: Buffer): void {
    this.pending += this.decoder.write(chunk);
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      this.onLine(line);
    }
  }

  /** The stream ended: what is left is a last line without its newline. */
  end(): void {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    if (rest !== '') this.onLine(rest);
  }
}

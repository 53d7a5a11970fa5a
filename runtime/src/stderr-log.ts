// A program's stderr becomes CloudWatch lines: one log record per line, text or
// JSON (AWS_LAMBDA_LOG_FORMAT=JSON), bounded per invocation so a chatty program
// cannot flood the log or the runtime's memory.
import { StringDecoder } from 'node:string_decoder';

export interface StderrLogOptions {
  requestId: string;
  json: boolean;
  /** Bytes of stderr forwarded per invocation; the rest is counted and dropped. */
  limitBytes: number;
  /** Lines kept for the error's stackTrace. */
  tailLines: number;
  write: (line: string) => void;
}

const MAX_LINE = 8192;

export class StderrLog {
  private pending = '';
  // Reads end anywhere, also inside a UTF-8 character: the decoder keeps its first bytes for the next.
  private readonly decoder = new StringDecoder('utf8');
  private forwarded = 0;
  private dropped = 0;
  private readonly tail: string[] = [];

  constructor(private readonly options: StderrLogOptions) {}

  push(chunk: Buffer): void {
    this.pending += this.decoder.write(chunk);
    let newline: number;
    while ((newline = this.pending.indexOf('\n')) >= 0) {
      this.line(this.pending.slice(0, newline));
      this.pending = this.pending.slice(newline + 1);
    }
    if (this.pending.length > MAX_LINE) {
      this.line(this.pending);
      this.pending = '';
    }
  }

  /** Flushes a last unterminated line and reports what was dropped. */
  end(): void {
    this.pending += this.decoder.end();
    if (this.pending.length > 0) this.line(this.pending);
    this.pending = '';
    if (this.dropped > 0) {
      this.emit(`[cobolambda] dropped ${this.dropped} bytes of program stderr over the ${this.options.limitBytes}-byte log limit`);
    }
  }

  /** The last lines written, for an error's stackTrace. */
  lastLines(): string[] {
    return [...this.tail];
  }

  private line(raw: string): void {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    // Blank lines (libcob frames its crash messages with them) say nothing in a stackTrace.
    if (text.trim() !== '') {
      this.tail.push(text.length > 1000 ? `${text.slice(0, 1000)}…` : text);
      if (this.tail.length > this.options.tailLines) this.tail.shift();
    }
    const size = Buffer.byteLength(text) + 1;
    if (this.forwarded + size > this.options.limitBytes) {
      this.dropped += size;
      return;
    }
    this.forwarded += size;
    this.emit(text);
  }

  private emit(message: string): void {
    const { json, requestId, write } = this.options;
    write(
      json
        ? JSON.stringify({ timestamp: new Date().toISOString(), level: 'INFO', requestId, message })
        : `${new Date().toISOString()}\t${requestId}\t${message}`,
    );
  }
}

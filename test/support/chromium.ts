// Drives Debian's headless chromium (apt package `chromium`) without npm
// dependencies: `--dump-dom` for a page, and the DevTools protocol over
// `--remote-debugging-pipe` (fds 3 and 4, NUL-separated JSON) for clicks.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import type { Readable, Writable } from 'node:stream';
import { tempDir } from './cobc.ts';

export function chromiumPath(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      // not this one
    }
  }
  return undefined;
}

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Async: the server under test usually runs in this same process. */
export async function dumpDom(url: string): Promise<string> {
  const { stdout } = await promisify(execFile)(chromiumPath()!, [...FLAGS, `--user-data-dir=${tempDir('chromium')}`, '--dump-dom', url], { encoding: 'utf8', timeout: 60_000 });
  return stdout;
}

type Message = { id?: number; method?: string; sessionId?: string; result?: Record<string, unknown>; error?: { message: string }; params?: Record<string, unknown> };

export class Browser {
  private readonly proc: ChildProcess;
  private nextId = 1;
  private buffer = '';
  private readonly pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  private readonly listeners: Array<(m: Message) => void> = [];
  private session = '';

  private constructor() {
    this.proc = spawn(chromiumPath()!, [...FLAGS, `--user-data-dir=${tempDir('chromium')}`, '--remote-debugging-pipe', 'about:blank'], {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
    });
    (this.proc.stdio[4] as Readable).on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      let end: number;
      while ((end = this.buffer.indexOf('\0')) >= 0) {
        const message = JSON.parse(this.buffer.slice(0, end)) as Message;
        this.buffer = this.buffer.slice(end + 1);
        if (message.id !== undefined) {
          const p = this.pending.get(message.id);
          this.pending.delete(message.id);
          if (message.error) p?.reject(new Error(message.error.message));
          else p?.resolve(message);
        } else {
          for (const l of [...this.listeners]) l(message);
        }
      }
    });
  }

  static async launch(): Promise<Browser> {
    const b = new Browser();
    const { targetId } = (await b.send('Target.createTarget', { url: 'about:blank' }, false)) as { targetId: string };
    const { sessionId } = (await b.send('Target.attachToTarget', { targetId, flatten: true }, false)) as { sessionId: string };
    b.session = sessionId;
    await b.send('Page.enable');
    return b;
  }

  send(method: string, params: Record<string, unknown> = {}, inPage = true): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const message = { id, method, params, ...(inPage ? { sessionId: this.session } : {}) };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: (m) => resolve(m.result ?? {}), reject });
      (this.proc.stdio[3] as Writable).write(`${JSON.stringify(message)}\0`);
    });
  }

  /** Resolves on the page's next load event. */
  nextLoad(timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('page did not load')), timeoutMs);
      const listener = (m: Message) => {
        if (m.method === 'Page.loadEventFired' && m.sessionId === this.session) {
          clearTimeout(timer);
          this.listeners.splice(this.listeners.indexOf(listener), 1);
          resolve();
        }
      };
      this.listeners.push(listener);
    });
  }

  async goto(url: string): Promise<void> {
    const loaded = this.nextLoad();
    await this.send('Page.navigate', { url });
    await loaded;
  }

  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.send('Runtime.evaluate', { expression, returnByValue: true })) as { result: { value: T }; exceptionDetails?: unknown };
    if (r.exceptionDetails) throw new Error(`evaluate failed: ${JSON.stringify(r.exceptionDetails)}`);
    return r.result.value;
  }

  close(): void {
    this.proc.kill('SIGKILL');
  }
}

// The lifecycle of the fork servers (runtime/native/fork-server.c): one per
// program file that carries the fork-server note, started on demand, dropped
// when its file changes, and given up for good once it fails.
import { statSync } from 'node:fs';
import { ProgramServer } from './program-server.ts';
import { canServeForks } from './fork-server-note.ts';

function fileIdentity(file: string): string {
  try {
    const st = statSync(file);
    return `${st.dev}:${st.ino}:${st.mtimeMs}:${st.mode}:${st.size}`;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'unreadable';
  }
}

export class ForkServers {
  /** Whether each program file can serve forks; false once its fork server failed. */
  private readonly capable = new Map<string, boolean>();
  private readonly servers = new Map<string, ProgramServer>();
  /** The file each of those answers are about: a fork server must not outlive the file it was started from. */
  private readonly identity = new Map<string, string>();

  /**
   * On Lambda a program never changes, but under `dev` or a test it can be
   * replaced or made unrunnable: then its fork server goes, and the next run
   * starts from the file as it is now (a file that cannot start fails as it
   * would on any other path).
   */
  forgetIfChanged(file: string): void {
    const now = fileIdentity(file);
    const then = this.identity.get(file);
    if (then === now) return;
    this.identity.set(file, now);
    if (then === undefined) return;
    this.servers.get(file)?.close();
    this.servers.delete(file);
    this.capable.delete(file);
  }

  serves(file: string): boolean {
    let capable = this.capable.get(file);
    if (capable === undefined) this.capable.set(file, (capable = canServeForks(file)));
    return capable;
  }

  /** The server of `file`, created (not yet started) with `env`, the environment libcob is initialised with. */
  serverFor(file: string, env: Record<string, string>): ProgramServer {
    let server = this.servers.get(file);
    if (!server) this.servers.set(file, (server = new ProgramServer(file, { ...env, COBOLAMBDA_FORK_SERVER: '1' }, 'fork server')));
    return server;
  }

  /** The fork server of `file` died or would not start: the spawn helper runs it from now on. */
  abandon(file: string): void {
    this.servers.get(file)?.close();
    this.servers.delete(file);
    this.capable.set(file, false);
  }

  closeAll(): void {
    for (const server of this.servers.values()) server.close();
    this.servers.clear();
    this.capable.clear();
    this.identity.clear();
  }
}

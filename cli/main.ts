// cobolambda's command line: one small function per command.
import { parseArgs } from 'node:util';
import { doctor } from './doctor.ts';

const USAGE = `usage: cobolambda <command> [options]

commands:
  doctor [--no-install]   check (and install, as root or with sudo) GnuCOBOL and the libraries the build links
`;

type Command = (args: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  async doctor(args) {
    const { values } = parseArgs({ args, options: { 'no-install': { type: 'boolean' } } });
    return doctor({ install: !values['no-install'], log: (l) => console.error(l) }) ? 0 : 1;
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(USAGE);
    return name === undefined || name === '--help' || name === 'help' ? 0 : 2;
  }
  try {
    return await command(rest);
  } catch (err) {
    console.error(`cobolambda ${name}: ${(err as Error).message}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));

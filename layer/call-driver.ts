// Call mode at build time: what cobc says a subprogram's parameters are, the
// check of the `using` copybooks against them, and the stub that links the
// program to its caller, runtime/native/call-driver.c.
//
// cobc's view comes from a probe compile with `-fdump=LS` (never linked): the
// C it generates names the program's entry point with one `cob_u8_t *b_N` per
// BY REFERENCE parameter, and its dump code gives each LINKAGE item's name and
// size against the same b_N. No COBOL is parsed here.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RecordLayout } from '../runtime/src/codecs/copybook/index.ts';
import type { ProgramSpec } from './programs.ts';
import { MetadataError, usingLayouts } from './metadata.ts';
import { copybooksOf, findCopybook } from './copybooks.ts';

export const CALL_DRIVER_SOURCE = join(dirname(fileURLToPath(import.meta.url)), '..', 'runtime', 'native', 'call-driver.c');

/** Extra cobc flag of the probe compile, whose C holds the LINKAGE items' sizes. */
export const PROBE_FLAGS = ['-fdump=LS'];

export interface LinkageParameter {
  /** The LINKAGE item named in PROCEDURE DIVISION USING. */
  name: string;
  /** Its size in bytes (tables at their maximum), as cobc allocates it. */
  length: number;
}

export interface CallInterface {
  programId: string;
  /** The C function cobc made of the PROGRAM-ID. */
  entry: string;
  parameters: LinkageParameter[];
}

export class CallInterfaceError extends Error {
  override name = 'CallInterfaceError';
}

const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The interface of the first (outermost) program in cobc's generated C, or the
 * reasons it cannot be called with its parameters BY REFERENCE.
 */
export function readCallInterface(cText: string, source: string): CallInterface {
  const start = /^\/\* PROGRAM-ID '(.*)' \*\/$/m.exec(cText);
  if (!start) throw new CallInterfaceError(`${source}: cobc's C has no PROGRAM-ID marker (has cobc's output changed?)`);
  const programId = start[1]!;
  const endMarker = cText.indexOf(`/* End PROGRAM-ID '${programId}' */`, start.index);
  const region = cText.slice(start.index, endMarker < 0 ? undefined : endMarker);
  const entryMatch = /\/\* ENTRY '.*' \*\/\s*int\s+(\w+) \(([^)]*)\)/.exec(region);
  if (!entryMatch || !C_IDENTIFIER.test(entryMatch[1]!)) {
    throw new CallInterfaceError(`${source}: the entry point of PROGRAM-ID ${programId} was not found in cobc's C (has cobc's output changed?)`);
  }
  const entry = entryMatch[1]!;
  const declared = entryMatch[2]!.trim();
  const args = declared === '' || declared === 'void' ? [] : declared.split(',').map((a) => a.trim());

  const sizes = new Map<string, number>();
  for (const m of region.matchAll(/cob_dump_field_ext \( (?:1|77), "([^"]+)", COB_SET_FLD\(f0, (\d+), NULL,/g)) {
    if (!sizes.has(m[1]!)) sizes.set(m[1]!, Number(m[2]));
  }
  const namesByPointer = new Map<string, string>();
  for (const m of region.matchAll(/cob_dump_field_ext \( (?:1|77), "([^"]+)", COB_SET_FLD\(f0, .*?, (b_\d+), &a_\d+\)/g)) {
    namesByPointer.set(m[2]!, m[1]!);
  }

  const what = `PROGRAM-ID ${programId} (${source})`;
  if (/\bcob_chain_setup \(/.test(region)) {
    throw new CallInterfaceError(`${what} is a main program: PROCEDURE DIVISION CHAINING takes command-line arguments; call mode runs subprograms (PROCEDURE DIVISION USING, LINKAGE SECTION): use raw, lines or record mode for it`);
  }
  if (args.length === 0) {
    if (sizes.size === 0) {
      throw new CallInterfaceError(`${what} is a main program (no LINKAGE SECTION, no PROCEDURE DIVISION USING): call mode runs subprograms that take their data as parameters; use raw, lines or record mode for it`);
    }
    throw new CallInterfaceError(`${what} has a LINKAGE SECTION (${[...sizes.keys()].join(', ')}) but no PROCEDURE DIVISION USING, so a caller cannot pass it anything: call mode needs PROCEDURE DIVISION USING <the parameters>`);
  }
  const parameters = args.map((arg, i): LinkageParameter => {
    const pointer = /^cob_u8_t \*(b_\d+)$/.exec(arg)?.[1];
    const byValue = /^\w+ (b_\d+)$/.exec(arg)?.[1];
    const name = namesByPointer.get(pointer ?? byValue ?? '') ?? `parameter ${i + 1}`;
    if (!pointer) {
      throw new CallInterfaceError(`${what}: parameter ${i + 1} (${name}) is passed BY VALUE; call mode passes every parameter BY REFERENCE, as CICS passes a COMMAREA`);
    }
    const length = sizes.get(name);
    if (length === undefined) {
      throw new CallInterfaceError(`${what}: the size of parameter ${i + 1} was not found in cobc's C (has cobc's output changed?)`);
    }
    return { name, length };
  });
  return { programId, entry, parameters };
}

/** Every mismatch between the `using` copybooks and the parameters, one line each. */
export function callInterfaceProblems(where: string, iface: CallInterface, layouts: RecordLayout[]): string[] {
  const { programId, parameters } = iface;
  if (layouts.length !== parameters.length) {
    return [
      `${where}: "using" lists ${layouts.length} copybook(s) (${layouts.map((l) => l.fileName).join(', ')}), but PROGRAM-ID ${programId} has ` +
        `${parameters.length} parameter(s): PROCEDURE DIVISION USING ${parameters.map((p) => p.name).join(' ')}; list one copybook per parameter, in order`,
    ];
  }
  return layouts.flatMap((layout, i) => {
    const p = parameters[i]!;
    if (layout.length === p.length) return [];
    return [
      `${where}: parameter ${i + 1} of PROGRAM-ID ${programId}, ${p.name}, is ${p.length} bytes in the program's LINKAGE SECTION, ` +
        `but ${layout.fileName} (record ${layout.name}) is ${layout.length} bytes: the program would read or write past what the event fills`,
    ];
  });
}

/** The C that tells call-driver.c which program to call and how long its parameters are. */
export function callStubSource(iface: CallInterface): string {
  const { entry, parameters } = iface;
  const pointers = parameters.map(() => 'unsigned char *').join(', ');
  return [
    `/* Generated by cobolambda (layer/call-driver.ts): how runtime/native/call-driver.c calls PROGRAM-ID ${JSON.stringify(iface.programId).replaceAll('*/', '*\\/')}. */`,
    '#include <stddef.h>',
    `int ${entry} (${pointers});`,
    `const char cobolambda_call_program[] = ${JSON.stringify(iface.programId)};`,
    `const int cobolambda_call_parameter_count = ${parameters.length};`,
    `const size_t cobolambda_call_lengths[] = {${parameters.map((p) => p.length).join(', ')}};`,
    `int cobolambda_call (unsigned char **areas) { return ${entry} (${parameters.map((_, i) => `areas[${i}]`).join(', ')}); }`,
    '',
  ].join('\n');
}

let fingerprint: string | undefined;

/** Changes when the driver does, so cached call-mode programs are relinked. */
export function callDriverFingerprint(): string {
  fingerprint ??= createHash('sha256').update(readFileSync(CALL_DRIVER_SOURCE)).digest('hex').slice(0, 16);
  return fingerprint;
}

export type CallStub = { ok: true; file: string } | { ok: false; messages: string };

/**
 * Compiles the probe of a call-mode program's main source (`relSource`, cobc
 * run in `cwd` with `cobcArgs`), checks its parameters against the `using`
 * copybooks and writes the stub into `work`.
 */
export async function writeCallStub(spec: ProgramSpec, cobcArgs: string[], cwd: string, relSource: string, work: string): Promise<CallStub> {
  const probe = join(work, 'call-probe.c');
  const r = await execa('cobc', ['-C', ...cobcArgs, ...PROBE_FLAGS, '-o', probe, relSource], { cwd, reject: false, all: true, env: { LC_ALL: 'C' } });
  if (r.exitCode !== 0) return { ok: false, messages: r.all?.trim() || `cobc failed on ${spec.source}` };
  try {
    const iface = readCallInterface(readFileSync(probe, 'utf8'), spec.source);
    const problems = callInterfaceProblems(`${spec.source} (call mode)`, iface, usingLayouts(spec));
    if (problems.length > 0) return { ok: false, messages: problems.join('\n') };
    const file = join(work, 'call-stub.c');
    writeFileSync(file, callStubSource(iface));
    return { ok: true, file };
  } catch (err) {
    if (err instanceof CallInterfaceError || err instanceof MetadataError) return { ok: false, messages: err.message };
    throw err;
  }
}

/** What a call-mode program's cached build also depends on: the driver and the `using` copybooks. */
export function callKeyParts(spec: ProgramSpec): string[] {
  if (spec.mode !== 'call') return [];
  const parts = [`driver:${callDriverFingerprint()}`];
  for (const { copybook } of spec.using ?? []) {
    const file = findCopybook(copybook, spec.copybookDirs);
    parts.push(`using:${copybook}:${file ?? 'missing'}`);
    if (!file) continue;
    for (const f of [file, ...copybooksOf(file, spec.copybookDirs)]) {
      parts.push(f.startsWith('missing:') ? f : createHash('sha256').update(readFileSync(f)).digest('hex'));
    }
  }
  return parts;
}

// Which stack each function goes in. CloudFormation takes at most 500
// resources and 200 outputs per stack, so an estate is split, deterministically:
//
// - each group (a sub-folder of cobol/, '' for cobol/ itself) gets its own stacks;
// - a group of more than `maxFunctionsPerStack` programs is split into 2^k shards
//   by a hash of each program's name. A program's shard depends on its name and
//   the shard count only, so adding a program never moves another one, and
//   doubling the count only splits shards (a program in shard s goes to s or s + n).
//   The count grows with the group (the smallest power of two that keeps the
//   average within the limit, doubled while one shard is over it); pin it per
//   group with `shards` so growth never moves anything.
import { createHash } from 'node:crypto';
import type { ProgramSpec } from '../layer/programs.ts';

/**
 * Per function: Function, ServiceRole, its DefaultPolicy, LogGroup, and with a
 * URL the FunctionUrl and a Permission (public URLs); outputs name, ARN, URL.
 * 60 functions stay under 500 resources (6 × 60 + the two runtime layers at most,
 * provided.al2023's and nodejs24.x's) and 200 outputs (3 × 60 + 2).
 */
export const DEFAULT_MAX_FUNCTIONS_PER_STACK = 60;

export interface StackPlanOptions {
  /** The app's stack name: the name of the stack of cobol/'s own programs, and the prefix of the others. */
  stackName: string;
  maxFunctionsPerStack?: number;
  /** Pinned shard counts per group ('' is cobol/ itself); each a power of two. */
  shards?: Record<string, number>;
}

export interface PlannedStack {
  /** CloudFormation stack name (also the construct id). */
  name: string;
  group: string;
  shard: number;
  shards: number;
  programs: ProgramSpec[];
}

export class StackPlanError extends Error {
  override name = 'StackPlanError';
}

/** A stable 32-bit number from a program's name. */
export function nameHash(name: string): number {
  return createHash('sha256').update(name).digest().readUInt32BE(0);
}

/** `payroll/weekly` → `PayrollWeekly` (stack names allow letters, digits and hyphens). */
export function groupStackPart(group: string): string {
  return group
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;

function shardCount(group: string, programs: ProgramSpec[], max: number, pinned: number | undefined): number {
  if (pinned !== undefined) {
    if (!isPowerOfTwo(pinned)) throw new StackPlanError(`shards for group "${group || '.'}" is ${pinned}; it must be a power of two (1, 2, 4, ...)`);
    return pinned;
  }
  let n = 1;
  while (programs.length / n > max) n *= 2;
  const fullest = (count: number) => Math.max(...countPerShard(programs, count));
  while (fullest(n) > max) n *= 2;
  return n;
}

function countPerShard(programs: ProgramSpec[], shards: number): number[] {
  const counts = new Array<number>(shards).fill(0);
  for (const p of programs) counts[nameHash(p.name) % shards]!++;
  return counts;
}

export function planStacks(programs: ProgramSpec[], options: StackPlanOptions): PlannedStack[] {
  const max = options.maxFunctionsPerStack ?? DEFAULT_MAX_FUNCTIONS_PER_STACK;
  if (!Number.isInteger(max) || max < 1) throw new StackPlanError(`maxFunctionsPerStack is ${max}; it must be a whole number of at least 1`);
  for (const group of Object.keys(options.shards ?? {})) {
    if (!programs.some((p) => p.group === group)) throw new StackPlanError(`shards are set for group "${group || '.'}", which has no programs`);
  }
  const groups = new Map<string, ProgramSpec[]>();
  for (const p of programs) {
    const list = groups.get(p.group) ?? [];
    list.push(p);
    groups.set(p.group, list);
  }
  const stacks: PlannedStack[] = [];
  const owners = new Map<string, string>();
  for (const group of [...groups.keys()].sort()) {
    const members = groups.get(group)!;
    const shards = shardCount(group, members, max, options.shards?.[group]);
    const base = group ? `${options.stackName}-${groupStackPart(group)}` : options.stackName;
    if (owners.has(base)) {
      throw new StackPlanError(`groups "${owners.get(base) || '.'}" and "${group}" would both be stack ${base}: rename one folder`);
    }
    owners.set(base, group);
    for (let shard = 0; shard < shards; shard++) {
      const inShard = members.filter((p) => nameHash(p.name) % shards === shard);
      if (inShard.length === 0) continue;
      if (inShard.length > max) {
        throw new StackPlanError(
          `group "${group || '.'}" shard ${shard} of ${shards} would hold ${inShard.length} functions, over maxFunctionsPerStack (${max}): ` +
            `raise its shards (a power of two) or move programs into sub-folders`,
        );
      }
      // Unpadded, so a stack keeps its name when the shard count doubles.
      const name = shards === 1 ? base : `${base}-S${shard}`;
      if (name.length > 128) throw new StackPlanError(`stack name ${name} is longer than CloudFormation's 128 characters`);
      stacks.push({ name, group, shard, shards, programs: inShard });
    }
  }
  return stacks;
}

/** CloudFormation's limits per template (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html). */
export const CFN_LIMITS = { resources: 500, outputs: 200, templateBytes: 1_000_000 };

/** What in one synthesized template CloudFormation would refuse, one line each. */
export function templateLimitProblems(stackName: string, template: { Resources?: object; Outputs?: object }): string[] {
  const problems: string[] = [];
  const resources = Object.keys(template.Resources ?? {}).length;
  const outputs = Object.keys(template.Outputs ?? {}).length;
  const bytes = Buffer.byteLength(JSON.stringify(template));
  if (resources > CFN_LIMITS.resources) problems.push(`${stackName}: ${resources} resources, over CloudFormation's ${CFN_LIMITS.resources}`);
  if (outputs > CFN_LIMITS.outputs) problems.push(`${stackName}: ${outputs} outputs, over CloudFormation's ${CFN_LIMITS.outputs}`);
  if (bytes > CFN_LIMITS.templateBytes) problems.push(`${stackName}: template of ${bytes} bytes, over CloudFormation's ${CFN_LIMITS.templateBytes}`);
  return problems.map((p) => `${p}: lower maxFunctionsPerStack or raise the group's shards`);
}

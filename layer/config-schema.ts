// The one schema of cobol/cobolambda.json. discoverPrograms validates the file
// with it, so build, `dev` and deploy refuse the same mistakes with the same
// words: the program, the key, what was expected. A mode's settings are added
// to PROGRAM_PROPERTIES (and, when some are required, to MODE_REQUIRES).
import AjvModule, { type ErrorObject } from 'ajv';
import { FIELD_ENCODINGS, TEXT_ENCODINGS } from '../runtime/src/codecs/copybook/text.ts';

const Ajv = AjvModule.default ?? AjvModule;

/**
 * The Lambda runtime a function is deployed on: provided.al2023 with Node.js in the runtime
 * layer (the default), or the managed nodejs24.x, whose Node runs the same bootstrap through
 * AWS_LAMBDA_EXEC_WRAPPER so the layer need not carry a Node of its own.
 */
export const LAMBDA_RUNTIMES = ['provided.al2023', 'nodejs24.x'] as const;
export type LambdaRuntime = (typeof LAMBDA_RUNTIMES)[number];

/** The I/O modes (programs.ts's IoMode): a new mode is added here. */
export const IO_MODES = ['raw', 'lines', 'record', 'http', 'call', 'batch'] as const;

const COPYBOOK_REFERENCE = {
  description: 'a copybook file name, or {"copybook": "name.cpy", "record": "RECORD-NAME", "replacing": {":TAG:": "CUST"}}',
  oneOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      required: ['copybook'],
      additionalProperties: false,
      properties: {
        copybook: { type: 'string', minLength: 1 },
        record: { type: 'string', minLength: 1 },
        replacing: { type: 'object', additionalProperties: { type: 'string' }, propertyNames: { pattern: '\\S' } },
      },
    },
  ],
};

const stringMap = { type: 'object', additionalProperties: { type: 'string' } };

/** Every key a program may have, by the mode that reads it. */
const PROGRAM_PROPERTIES: Record<string, object> = {
  // every mode
  std: { type: 'string', minLength: 1 },
  cobcFlags: { type: 'array', items: { type: 'string' } },
  subprograms: { type: 'array', items: { type: 'string', minLength: 1 } },
  mode: { enum: [...IO_MODES] },
  timeoutSeconds: { type: 'integer', minimum: 1, maximum: 900 },
  memorySizeMb: { type: 'integer', minimum: 128, maximum: 10240 },
  environment: stringMap,
  example: { type: 'string' },
  runtime: { enum: [...LAMBDA_RUNTIMES] },
  // record mode (and the record codec of call and batch modes)
  input: COPYBOOK_REFERENCE,
  output: COPYBOOK_REFERENCE,
  encoding: { enum: [...TEXT_ENCODINGS] },
  fields: { type: 'object', additionalProperties: { enum: [...FIELD_ENCODINGS] } },
  redefines: {
    type: 'object',
    additionalProperties: {
      type: 'object',
      required: ['by', 'when'],
      additionalProperties: false,
      properties: { by: { type: 'string', minLength: 1 }, when: { ...stringMap, minProperties: 1 }, otherwise: { type: 'string', minLength: 1 } },
    },
  },
  // call mode
  using: { type: 'array', minItems: 1, items: COPYBOOK_REFERENCE },
  // batch mode
  files: {
    type: 'object',
    additionalProperties: {
      type: 'object',
      properties: { direction: { type: 'string' }, copybook: COPYBOOK_REFERENCE, format: { type: 'string' }, encoding: { type: 'string' } },
    },
  },
  maxReturnCode: { type: 'integer', minimum: 0 },
  s3Trigger: {},
  s3: {},
  ephemeralStorageMb: { type: 'integer', minimum: 512, maximum: 10240 },
};

/** Keys a mode cannot do without. */
const MODE_REQUIRES: Record<string, string[]> = {
  record: ['input', 'output'],
  call: ['using'],
};

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    programs: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: PROGRAM_PROPERTIES,
        allOf: Object.entries(MODE_REQUIRES).map(([mode, required]) => ({
          if: { properties: { mode: { const: mode } }, required: ['mode'] },
          then: { required },
        })),
      },
    },
  },
};

const validate = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(SCHEMA);

export interface ConfigProblem {
  /** The program the problem is in, or undefined for the file's own shape. */
  program?: string;
  /** The program's setting at fault (`mode` for a setting its mode requires). */
  key?: string;
  message: string;
}

/** Problems of a parsed cobolambda.json, each naming the key (`programs.x.mode is "y"; expected ...`). */
export function configProblems(config: unknown): ConfigProblem[] {
  if (validate(config)) return [];
  const errors = validate.errors ?? [];
  // A copybook reference is either form: an object is told what is wrong inside it, anything else what the two forms are.
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath);
  const isObjectAt = (path: string): boolean => {
    const v = valueAt(config, path);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  };
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    const under = oneOfPaths.find((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`));
    if (under !== undefined) {
      const objectForm = isObjectAt(under);
      if (e.keyword === 'oneOf' ? objectForm : !objectForm || e.schemaPath.includes('/oneOf/0/')) continue;
    }
    const message = describe(e, config);
    if (seen.has(message)) continue;
    seen.add(message);
    const segments = e.instancePath.split('/').slice(1).map(unescape);
    const program = segments[0] === 'programs' && segments.length > 1 ? segments[1] : undefined;
    const key = e.keyword === 'additionalProperties' && segments.length === 2 ? String((e.params as { additionalProperty: unknown }).additionalProperty) : segments[2] ?? 'mode';
    problems.push({ program, key: program === undefined ? undefined : key, message });
  }
  return problems;
}

const unescape = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');

function keyPath(instancePath: string): string {
  const segments = instancePath.split('/').slice(1).map(unescape);
  return segments.map((s, i) => (i === 0 || /^[A-Za-z_$][\w$]*$/.test(s) ? (i === 0 ? s : `.${s}`) : `[${JSON.stringify(s)}]`)).join('') || '(the file)';
}

function valueAt(config: unknown, instancePath: string): unknown {
  let v = config;
  for (const s of instancePath.split('/').slice(1).map(unescape)) v = (v as Record<string, unknown> | undefined)?.[s];
  return v;
}

function describe(e: ErrorObject, config: unknown): string {
  const at = keyPath(e.instancePath);
  const value = JSON.stringify(valueAt(config, e.instancePath));
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return `${keyPath(`${e.instancePath}/${key}`)} is not a setting${known.length > 0 ? ` (known: ${known.join(', ')})` : ''}`;
    }
    case 'enum':
      return `${at} is ${value}; expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'oneOf':
      return `${at} is ${value}; expected ${COPYBOOK_REFERENCE.description}`;
    case 'required':
      return `${at} needs "${String(p.missingProperty)}"${e.instancePath.split('/').length === 3 ? ` in mode ${JSON.stringify((valueAt(config, e.instancePath) as { mode?: unknown })?.mode)}` : ''}`;
    case 'type':
      return `${at} is ${value}; expected ${p.type === 'object' ? 'an object' : p.type === 'array' ? 'an array' : p.type === 'integer' ? 'a whole number' : `a ${String(p.type)}`}`;
    case 'minItems':
      return `${at} is ${value}; expected at least ${String(p.limit)} ${p.limit === 1 ? 'entry' : 'entries'}`;
    case 'minimum':
    case 'maximum':
      return `${at} is ${value}; expected a whole number from ${minMax(e.schemaPath, 'minimum')} to ${minMax(e.schemaPath, 'maximum')}`;
    default:
      return `${at} ${e.message ?? 'is not valid'}`;
  }
}

function minMax(schemaPath: string, which: 'minimum' | 'maximum'): string {
  const key = schemaPath.split('/').at(-2);
  const schema = key ? (PROGRAM_PROPERTIES[key] as { minimum?: number; maximum?: number } | undefined) : undefined;
  return String(schema?.[which] ?? (which === 'minimum' ? 0 : 'any'));
}

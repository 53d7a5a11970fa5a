// Item tree → record layout: offsets, sizes per dialect, REDEFINES, OCCURS DEPENDING ON and JSON names.
import { jsonMembers, type Dialect, type LayoutField, type RecordLayout } from './layout.ts';
import { jsonName } from './names.ts';
import { levelText, type Entry } from './parser.ts';
import { parsePicture } from './picture.ts';
import { CopybookError } from './source.ts';

/** The `binary-size` of cobc's dialect configuration files (`/etc/gnucobol/<std>.conf`). */
export function dialectForStd(std: string | undefined): Dialect {
  const base = (std ?? 'default').toLowerCase().replace(/-strict$/, '');
  if (['ibm', 'mvs', 'bs2000', 'rm', 'realia'].includes(base)) return 'ibm';
  if (base === 'mf') return 'mf';
  return 'default';
}

function binarySize(dialect: Dialect, digits: number, signed: boolean): number {
  if (dialect === 'ibm') return digits <= 4 ? 2 : digits <= 9 ? 4 : 8;
  if (dialect === 'default') return digits <= 2 ? 1 : digits <= 4 ? 2 : digits <= 9 ? 4 : 8;
  const limits = signed ? [2, 4, 6, 9, 11, 14, 16, 18] : [2, 4, 7, 9, 12, 14, 16, 18];
  return limits.findIndex((max) => digits <= max) + 1;
}

interface InheritedAttributes {
  usage?: LayoutField['usage'];
  signPosition?: 'leading' | 'trailing';
  signSeparate?: boolean;
  inTable: boolean;
}

export function computeLayout(root: Entry, file: string, dialect: Dialect, choice: Record<string, string>): RecordLayout {
  const choices = new Map(Object.entries(choice).map(([k, v]) => [k.toUpperCase(), v.toUpperCase()]));
  const usedChoices = new Set<string>();
  const odo: Array<{ field: LayoutField; entry: Entry }> = [];
  const all: Array<{ field: LayoutField; entry: Entry; ancestors: LayoutField[] }> = [];

  const build = (e: Entry, offset: number, inherited: InheritedAttributes, ancestors: LayoutField[], mapped: boolean): LayoutField => {
    const clause = `${levelText(e.level)} ${e.name}`;
    const fail = (problem: string): never => {
      throw new CopybookError(e.file, e.line, clause, problem);
    };
    const usage = e.usage ?? inherited.usage ?? 'display';
    const signPosition = e.signPosition ?? inherited.signPosition;
    const signSeparate = e.signSeparate ?? (e.signPosition ? false : inherited.signSeparate);
    const isFiller = e.name === 'FILLER';
    const field: LayoutField = {
      name: e.name,
      level: e.level,
      line: e.line,
      file: e.file,
      kind: 'group',
      offset,
      length: 0,
      usage,
      mapped: mapped && !isFiller,
    };
    if (isFiller && e.children.length > 0 && !e.occurs && !e.redefines) field.transparent = true;
    if (field.mapped) {
      const json = jsonName(e.name);
      if (json === undefined) fail(`cannot derive a JSON name from "${e.name}"`);
      field.jsonName = json;
    }
    if (e.redefines) field.redefines = e.redefines;
    if (e.occurs) {
      if (e.level === 1 || e.level === 77 || e.level === 0) fail('OCCURS is not allowed on a level 01 or 77 item');
      field.occurs = { min: e.occurs.min, max: e.occurs.max };
      if (e.occurs.dependingOn) {
        if (inherited.inTable) fail('OCCURS DEPENDING ON inside another table is not supported');
        field.occurs.dependingOn = e.occurs.dependingOn.join(' OF ');
        odo.push({ field, entry: e });
      }
    }
    if (e.value) field.value = e.value;
    if (e.values88.length > 0) field.values88 = e.values88;
    if (e.justifiedRight) field.justifiedRight = true;
    if (e.blankWhenZero) field.blankWhenZero = true;
    all.push({ field, entry: e, ancestors });

    if (e.children.length > 0) {
      if (e.pic) fail('a group item cannot have a PICTURE');
      if (usage === 'comp-1' || usage === 'comp-2') fail('COMP-1/COMP-2 on a group is not supported');
      const childInherited: InheritedAttributes = {
        usage: e.usage ?? inherited.usage,
        signPosition,
        signSeparate,
        inTable: inherited.inTable || e.occurs !== undefined,
      };
      const children: LayoutField[] = [];
      let cursor = offset;
      let end = offset;
      for (const c of e.children) {
        let childOffset = cursor;
        let childMapped = mapped && (field.mapped || field.transparent === true || e.level === 0 || e.level === 1 || e.level === 77);
        if (c.redefines) {
          const baseName = c.redefines;
          const base = [...children].reverse().find((s) => s.name === baseName && !s.redefines);
          const previous = children[children.length - 1];
          if (!base || !previous || (previous !== base && previous.redefines !== baseName)) {
            throw new CopybookError(c.file, c.line, `${levelText(c.level)} ${c.name} REDEFINES ${baseName}`, `REDEFINES must name the item just before it at the same level (${baseName} is not)`);
          }
          if (c.level !== base.level) {
            throw new CopybookError(c.file, c.line, `${levelText(c.level)} ${c.name} REDEFINES ${baseName}`, 'REDEFINES must be at the level of the redefined item');
          }
          if (base.occurs || c.occurs) {
            throw new CopybookError(c.file, c.line, `${levelText(c.level)} ${c.name} REDEFINES ${baseName}`, 'REDEFINES of or with OCCURS is not supported');
          }
          childOffset = base.offset;
          const chosen = choices.get(baseName);
          if (chosen !== undefined) usedChoices.add(baseName);
          const isChosen = chosen === c.name;
          childMapped = childMapped && isChosen;
        } else if (choices.has(c.name)) {
          usedChoices.add(c.name);
          if (choices.get(c.name) !== c.name) childMapped = false;
        }
        const child = build(c, childOffset, childInherited, [...ancestors, field], childMapped);
        const extent = child.length * (child.occurs?.max ?? 1);
        if (c.redefines) {
          const base = children.find((s) => s.name === c.redefines && !s.redefines)!;
          const baseExtent = base.length * (base.occurs?.max ?? 1);
          if (extent > baseExtent && c.level !== 1) {
            throw new CopybookError(c.file, c.line, `${levelText(c.level)} ${c.name} REDEFINES ${c.redefines}`, `${c.name} (${extent} bytes) is larger than ${c.redefines} (${baseExtent} bytes)`);
          }
        } else {
          cursor = childOffset + extent;
        }
        end = Math.max(end, childOffset + extent);
        children.push(child);
      }
      for (const [base, chosen] of choices) {
        if (children.some((c) => c.name === base && !c.redefines) && !children.some((c) => c.name === chosen && (c.redefines === base || c.name === base))) {
          throw new CopybookError(e.file, e.line, `REDEFINES ${base}`, `the chosen definition ${chosen} does not redefine ${base}`);
        }
      }
      field.children = children;
      field.length = end - offset;
      if (field.length === 0) fail('a group without storage');
      return field;
    }

    // Elementary
    if (usage === 'comp-1' || usage === 'comp-2') {
      if (e.pic) fail(`${usage.toUpperCase()} takes no PICTURE`);
      field.kind = 'float';
      field.length = usage === 'comp-1' ? 4 : 8;
      field.signed = true;
      return field;
    }
    if (!e.pic) {
      if (e.level === 0) fail('the copybook has no fields');
      fail('an elementary item needs a PICTURE');
    }
    const pic = parsePicture(e.pic!, e);
    field.pic = e.pic;
    field.kind = pic.kind;
    field.length = pic.length;
    if (pic.kind === 'zoned') {
      field.digits = pic.digits;
      field.scale = pic.scale;
      field.signed = pic.signed;
      if (usage === 'display') {
        if (pic.signed) {
          field.signPosition = signPosition ?? 'trailing';
          field.signSeparate = signSeparate ?? false;
          if (field.signSeparate) field.length += 1;
        }
      } else if (usage === 'binary' || usage === 'comp-5') {
        if (pic.digits! > 18) fail('a binary item holds at most 18 digits');
        field.kind = 'binary';
        field.length = binarySize(dialect, pic.digits!, pic.signed ?? false);
      } else if (usage === 'packed') {
        field.kind = 'packed';
        field.length = Math.floor(pic.digits! / 2) + 1;
      }
      if (e.signPosition && (!pic.signed || usage !== 'display')) fail('SIGN needs a signed (S) USAGE DISPLAY picture');
    } else if (usage !== 'display') {
      fail(`USAGE ${usage.toUpperCase()} needs a numeric picture`);
    }
    if (e.justifiedRight && !['alphanumeric', 'alphabetic'].includes(pic.kind)) fail('JUSTIFIED needs an alphanumeric item');
    return field;
  };

  const top = build(root, 0, { inTable: false }, [], true);
  for (const key of choices.keys()) {
    if (!usedChoices.has(key)) {
      throw new CopybookError(file, 1, `REDEFINES ${key}`, `redefinesChoice names ${key}, which no item redefines`);
    }
  }

  // OCCURS DEPENDING ON: the counter is a mapped integer outside every table, before the table; the table ends the record.
  let minLength = top.length;
  for (const { field, entry } of odo) {
    const clause = `${levelText(entry.level)} ${entry.name} OCCURS DEPENDING ON ${field.occurs!.dependingOn}`;
    const [name, ...qualifiers] = entry.occurs!.dependingOn!;
    const candidates = all.filter(
      ({ field: f, ancestors }) =>
        f.name === name && qualifiers.every((q) => ancestors.some((a) => a.name === q)),
    );
    if (candidates.length !== 1) {
      throw new CopybookError(entry.file, entry.line, clause, candidates.length === 0 ? `no item named ${name} in this record` : `${name} is ambiguous; qualify it with OF`);
    }
    const counter = candidates[0]!;
    if (counter.field.kind === 'group' || counter.field.digits === undefined || counter.field.scale !== 0) {
      throw new CopybookError(entry.file, entry.line, clause, `the counter ${name} must be an integer numeric item`);
    }
    if (counter.ancestors.some((a) => a.occurs) || counter.field.occurs) {
      throw new CopybookError(entry.file, entry.line, clause, `the counter ${name} must not be inside a table`);
    }
    if (!counter.field.mapped) throw new CopybookError(entry.file, entry.line, clause, `the counter ${name} must be a mapped (named, not redefined) item`);
    if (counter.field.offset + counter.field.length > field.offset) {
      throw new CopybookError(entry.file, entry.line, clause, `the counter ${name} must come before the table`);
    }
    if (field.offset + field.length * field.occurs!.max !== top.length || all.some(({ field: f }) => f.offset >= field.offset + field.length * field.occurs!.max)) {
      throw new CopybookError(entry.file, entry.line, clause, 'only the last item of a record may be an OCCURS DEPENDING ON table (nothing may follow it)');
    }
    // ancestors[0] is the record itself, which has no JSON key of its own
    field.occurs!.dependingOnPath = [...counter.ancestors.slice(1), counter.field].filter((f) => !f.transparent).map((f) => f.jsonName!);
    minLength = Math.min(minLength, top.length - field.length * (field.occurs!.max - field.occurs!.min));
  }

  // JSON names must be unique among the members of each object (a FILLER group's items included).
  const checkNames = (f: LayoutField): void => {
    const seen = new Map<string, LayoutField>();
    for (const c of jsonMembers(f.children ?? [])) {
      const clash = seen.get(c.jsonName!);
      if (clash) {
        throw new CopybookError(c.file, c.line, `${levelText(c.level)} ${c.name}`, `JSON name "${c.jsonName}" is also used by ${clash.name} (line ${clash.line}) in the same JSON object`);
      }
      seen.set(c.jsonName!, c);
      checkNames(c);
    }
  };
  checkNames(top);

  const fields = top.children ?? [top];
  return {
    format: 1,
    name: top.name,
    fileName: file,
    dialect,
    length: top.length,
    minLength,
    fields,
  };
}

// A program's record settings (cobolambda.json: `encoding`, `fields`,
// `redefines`) applied to the layouts the parser computed, at build time. The
// codec then reads them from the layout: the runtime never sees the settings.
// Record mode, call mode and batch mode configure their layouts here alike.
import { jsonName } from './names.ts';
import type { LayoutField, RecordLayout } from './layout.ts';
import { FIELD_ENCODINGS, type FieldEncodingName, type TextEncodingName } from './text.ts';
import { FieldDataError, isTextual, readElementary, writeElementary } from './elementary.ts';

export interface RedefinesSetting {
  /** The discriminator item. */
  by: string;
  /** Discriminator value → the item (the redefined one or one redefining it) that maps the area. */
  when: Record<string, string>;
  otherwise?: string;
}

export interface RecordSettings {
  encoding?: TextEncodingName;
  /** Item name (`NAME` or `NAME OF GROUP`) → how its bytes are JSON text. */
  fields?: Record<string, FieldEncodingName>;
  /** Redefined item name → the choice of its definition by a discriminator. */
  redefines?: Record<string, RedefinesSetting>;
}

export class RecordSettingsError extends Error {
  override name = 'RecordSettingsError';
}

interface Located {
  field: LayoutField;
  /** Enclosing items, outermost first (the record's 01 not included). */
  ancestors: LayoutField[];
  /** The list the field belongs to (its siblings). */
  siblings: LayoutField[];
}

function locate(layout: RecordLayout): Located[] {
  const out: Located[] = [];
  const walk = (fields: LayoutField[], ancestors: LayoutField[]): void => {
    for (const f of fields) {
      out.push({ field: f, ancestors, siblings: fields });
      if (f.children) walk(f.children, [...ancestors, f]);
    }
  };
  walk(layout.fields, []);
  return out;
}

/** Items a name (`A` or `A OF B OF C`) designates, as COBOL qualification resolves it. */
function find(items: Located[], name: string, recordName: string): Located[] {
  const [own, ...qualifiers] = name.trim().toUpperCase().split(/\s+(?:OF|IN)\s+/);
  return items.filter(({ field, ancestors }) => {
    if (field.name !== own) return false;
    const chain = [...ancestors].reverse().map((a) => a.name).concat(recordName);
    let from = 0;
    for (const q of qualifiers) {
      const i = chain.indexOf(q, from);
      if (i < 0) return false;
      from = i + 1;
    }
    return true;
  });
}

/** Maps an item and what it holds to JSON (FILLER and redefinitions not chosen stay out). */
function mapSubtree(f: LayoutField, setting: string): void {
  if (f.name !== 'FILLER') {
    const json = jsonName(f.name);
    if (json === undefined) throw new RecordSettingsError(`${setting}: cannot derive a JSON name from "${f.name}"`);
    f.jsonName = json;
    f.mapped = true;
  }
  for (const c of f.children ?? []) if (!c.redefines) mapSubtree(c, setting);
}

/**
 * The layouts with the settings applied (copies; the arguments are not changed). Every name in
 * the settings must designate an item of at least one layout. `where` prefixes every message
 * (`cobol/cobolambda.json: programs.x`).
 */
export function applyRecordSettings(layouts: RecordLayout[], settings: RecordSettings, where: string): RecordLayout[] {
  const copies = layouts.map((l) => structuredClone(l));
  const used = new Set<string>();
  for (const layout of copies) {
    if (settings.encoding) layout.encoding = settings.encoding;
    const items = locate(layout);
    for (const [name, encoding] of Object.entries(settings.fields ?? {})) {
      const setting = `${where}.fields.${name}`;
      if (!FIELD_ENCODINGS.includes(encoding)) throw new RecordSettingsError(`${setting} is ${JSON.stringify(encoding)}; expected one of ${FIELD_ENCODINGS.join(', ')}`);
      const found = find(items, name, layout.name);
      if (found.length === 0) continue;
      if (found.length > 1) throw new RecordSettingsError(`${setting}: ${name} is ambiguous in ${layout.fileName}; qualify it (NAME OF GROUP)`);
      used.add(`fields:${name}`);
      const f = found[0]!.field;
      if (encoding !== 'base64' && !isTextual(f)) {
        throw new RecordSettingsError(`${setting}: ${name} is ${f.kind === 'group' ? 'a group' : `${f.kind} (${f.pic ?? f.usage})`}, not text: only base64 carries its bytes`);
      }
      f.encoding = encoding;
    }
    for (const [name, choice] of Object.entries(settings.redefines ?? {})) {
      const setting = `${where}.redefines.${name}`;
      const found = find(items, name, layout.name);
      if (found.length === 0) continue;
      if (found.length > 1) throw new RecordSettingsError(`${setting}: ${name} is ambiguous in ${layout.fileName}; qualify it (NAME OF GROUP)`);
      used.add(`redefines:${name}`);
      configureChoice(layout, items, found[0]!, choice, setting);
    }
  }
  const unused = [
    ...Object.keys(settings.fields ?? {}).filter((n) => !used.has(`fields:${n}`)).map((n) => `${where}.fields.${n}`),
    ...Object.keys(settings.redefines ?? {}).filter((n) => !used.has(`redefines:${n}`)).map((n) => `${where}.redefines.${n}`),
  ];
  if (unused.length > 0) {
    throw new RecordSettingsError(`${unused.join(', ')}: no such item in ${layouts.map((l) => `${l.fileName} (record ${l.name})`).join(' or ')}`);
  }
  return copies;
}

function configureChoice(layout: RecordLayout, items: Located[], base: Located, setting: RedefinesSetting, where: string): void {
  const area = base.field;
  if (area.redefines) throw new RecordSettingsError(`${where}: ${area.name} itself REDEFINES ${area.redefines}; name the redefined item ${area.redefines}`);
  const definitions = base.siblings.filter((s) => s === area || s.redefines === area.name);
  if (definitions.length === 1) throw new RecordSettingsError(`${where}: no item REDEFINES ${area.name}`);
  const names = definitions.map((d) => d.name);
  const targets = [...Object.values(setting.when), ...(setting.otherwise !== undefined ? [setting.otherwise] : [])];
  for (const t of targets) {
    if (!names.includes(t.toUpperCase())) throw new RecordSettingsError(`${where}: ${t} is not ${area.name} or an item redefining it (${names.join(', ')})`);
  }
  const byFound = find(items, setting.by, layout.name);
  if (byFound.length !== 1) {
    throw new RecordSettingsError(`${where}.by: ${byFound.length === 0 ? `no item ${setting.by} in ${layout.fileName}` : `${setting.by} is ambiguous; qualify it (NAME OF GROUP)`}`);
  }
  const by = byFound[0]!;
  if (by.field.kind === 'group' || by.field.occurs) throw new RecordSettingsError(`${where}.by: ${setting.by} must be an elementary item, not a group or a table`);
  const inArea = by.ancestors.some((a) => definitions.includes(a)) || definitions.includes(by.field);
  if (inArea) throw new RecordSettingsError(`${where}.by: ${setting.by} lies in the area ${area.name} redefines; the discriminator must be outside it`);
  if (!by.field.mapped || by.field.jsonName === undefined) throw new RecordSettingsError(`${where}.by: ${setting.by} is not in the JSON (FILLER or an unchosen redefinition)`);
  const tables = (l: Located): LayoutField[] => [...l.ancestors, l.field].filter((a) => a.occurs);
  const byTables = tables(by);
  const areaTables = tables(base);
  const sameEntry = byTables.length === areaTables.length && byTables.every((t, i) => t === areaTables[i]);
  if (byTables.length > 0 && !sameEntry) {
    throw new RecordSettingsError(`${where}.by: ${setting.by} is in a table ${area.name} is not in: the discriminator must be outside every table, or in the same table entry`);
  }
  // Values as the response shows the discriminator (text trimmed, numbers canonical), checked to fit it.
  const encoding = layout.encoding ?? 'utf-8';
  const probe = Buffer.alloc(by.field.offset + by.field.length);
  const when: Record<string, string> = {};
  for (const [value, target] of Object.entries(setting.when)) {
    const problem = writeElementary(probe, by.field.offset, by.field, by.field.kind === 'zoned' || by.field.kind === 'binary' || by.field.kind === 'packed' ? value.trim() : value, encoding);
    if (problem) throw new RecordSettingsError(`${where}.when: ${JSON.stringify(value)} cannot be a value of ${by.field.name}: ${problem}`);
    let shown: string | number;
    try {
      shown = readElementary(probe, by.field.offset, by.field, encoding);
    } catch (err) {
      if (err instanceof FieldDataError) throw new RecordSettingsError(`${where}.when: ${JSON.stringify(value)}: ${err.message}`);
      throw err;
    }
    when[String(shown)] = target.toUpperCase();
  }
  for (const d of definitions) {
    if (targets.some((t) => t.toUpperCase() === d.name)) mapSubtree(d, where);
    else if (d !== area) d.mapped = false;
  }
  if (!targets.some((t) => t.toUpperCase() === area.name)) area.mapped = false;
  const { children: _children, ...byField } = by.field;
  area.choice = {
    by: byField,
    byInEntry: byTables.length > 0,
    when,
    ...(setting.otherwise !== undefined ? { otherwise: setting.otherwise.toUpperCase() } : {}),
  };
}

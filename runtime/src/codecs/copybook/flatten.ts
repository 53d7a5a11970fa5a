import type { LayoutField, RecordLayout } from './layout.ts';

export interface FlatField {
  /** COBOL qualification from the item up: `BALANCE OF ACCOUNTS OF CUSTOMER`. */
  qualified: string;
  /** Names from the record down. */
  names: string[];
  field: LayoutField;
  /** Number of enclosing tables, this item's own OCCURS included. */
  dimensions: number;
}

/** Every named item of a layout (FILLER excluded), outermost first: for listings and for tests against cobc. */
export function flattenLayout(layout: RecordLayout): FlatField[] {
  const out: FlatField[] = [];
  const walk = (fields: LayoutField[], names: string[], dimensions: number): void => {
    for (const f of fields) {
      const own = f.name === 'FILLER' ? names : [...names, f.name];
      const dims = dimensions + (f.occurs ? 1 : 0);
      if (f.name !== 'FILLER') out.push({ qualified: [...own].reverse().join(' OF '), names: own, field: f, dimensions: dims });
      if (f.children) walk(f.children, own, dims);
    }
  };
  const grouped = !(layout.fields.length === 1 && layout.fields[0]!.name === layout.name && !layout.fields[0]!.children);
  walk(layout.fields, grouped ? [layout.name] : [], 0);
  return out;
}

// The layout of one record, as the copybook parser computes it. It is plain
// JSON: the build writes it into the programs layer and the runtime reads it
// back at init, so nothing here may be a class, a Map or a function.
import type { FieldEncodingName, TextEncodingName } from './text.ts';

/** How a field's bytes are read and written. */
export type FieldKind =
  | 'group'
  | 'alphanumeric' // PIC X..., or a mix of X, A and 9
  | 'alphabetic' // PIC A...
  | 'zoned' // numeric USAGE DISPLAY
  | 'binary' // COMP, BINARY, COMP-4 (big-endian) and COMP-5 (native, little-endian)
  | 'packed' // COMP-3, PACKED-DECIMAL
  | 'float' // COMP-1 (4 bytes), COMP-2 (8 bytes), native byte order
  | 'numeric-edited' // Z * , . + - CR DB $ B 0 / with 9: output text
  | 'alphanumeric-edited'; // X/A/9 with B 0 /: output text

/** Binary field sizes of the cobc dialect the program is compiled with (`binary-size` in cobc's config). */
export type Dialect = 'default' | 'ibm' | 'mf';

export interface Value88 {
  /** The 88-level condition name as written, e.g. `STATUS-OK`. */
  name: string;
  jsonName: string;
  /** Single values and `THRU` ranges, as literals: strings for alphanumeric items, decimal strings for numeric ones. */
  values: Array<string | { from: string; to: string }>;
}

/** A VALUE clause: a literal (`text` for alphanumeric, `number` as a decimal string) or a figurative constant. */
export type FieldValue =
  | { text: string; hex?: boolean }
  | { number: string }
  | { figurative: 'SPACES' | 'ZEROS' | 'HIGH-VALUES' | 'LOW-VALUES' | 'QUOTES' }
  | { all: string };

export interface OccursInfo {
  min: number;
  max: number;
  /** COBOL name of the counter of an `OCCURS m TO n DEPENDING ON` table. */
  dependingOn?: string;
  /** JSON path (names from the record down) of that counter; it is never inside a table. */
  dependingOnPath?: string[];
}

export interface LayoutField {
  /** The COBOL name as written (upper case), or `FILLER`. */
  name: string;
  /** The JSON key; absent when the field is not mapped (FILLER, a REDEFINES that was not chosen). */
  jsonName?: string;
  level: number;
  /** Line of the copybook (or of the nested COPY member `file`) where the entry starts. */
  line: number;
  file: string;
  kind: FieldKind;
  /** Byte offset of the first occurrence from the start of the record. */
  offset: number;
  /** Bytes of one occurrence. */
  length: number;
  usage: 'display' | 'binary' | 'comp-5' | 'packed' | 'comp-1' | 'comp-2';
  /** The picture as written, repetitions expanded nowhere: `S9(5)V99`. */
  pic?: string;
  /** Digits stored (numeric kinds). */
  digits?: number;
  /** Value = stored integer × 10^-scale; `V99` gives 2, `9(3)PP` gives -2, `PP99` gives 4. */
  scale?: number;
  signed?: boolean;
  /** Sign position of a signed DISPLAY field: trailing overpunch by default. */
  signPosition?: 'leading' | 'trailing';
  signSeparate?: boolean;
  justifiedRight?: boolean;
  blankWhenZero?: boolean;
  occurs?: OccursInfo;
  /** Name of the item this one redefines. */
  redefines?: string;
  /** Whether this field is read from and written to JSON. */
  mapped: boolean;
  /**
   * A FILLER group (not a table, not a redefinition): it has no JSON key, and
   * its items are read and written as members of the enclosing object, as COBOL
   * lets a program name them without the FILLER.
   */
  transparent?: boolean;
  value?: FieldValue;
  values88?: Value88[];
  children?: LayoutField[];
  /** How the field's bytes are JSON text, when not the record's `encoding` (set from `fields` in cobolambda.json). */
  encoding?: FieldEncodingName;
  /** On a redefined item: which of its definitions maps to JSON, decided by a discriminator (`redefines` in cobolambda.json). */
  choice?: RedefinesChoice;
}

export interface RedefinesChoice {
  /** The discriminator: an elementary item outside every table, or in the same table entry as the redefined item. */
  by: LayoutField;
  /** Whether `by` lies in the redefined item's table entry (its offset moves with the entry). */
  byInEntry: boolean;
  /** The discriminator's value as the response shows it (text trimmed, numbers canonical) → COBOL name of the definition. */
  when: Record<string, string>;
  /** The definition for any other value; without it another value is an error. */
  otherwise?: string;
}

export interface RecordLayout {
  /** Version of this JSON shape. */
  format: 1;
  /** Name of the 01 record, or the copybook's base name in upper case when the copybook has no 01. */
  name: string;
  fileName: string;
  dialect: Dialect;
  /** Bytes of one record on stdin/stdout (tables at their maximum size). */
  length: number;
  /** Bytes with every `OCCURS ... DEPENDING ON` table at its minimum. */
  minLength: number;
  /** The record's fields (the children of the 01 item, or the one elementary 01 item itself). */
  fields: LayoutField[];
  /** How text fields (PIC X/A, edited) are JSON strings; utf-8 when absent. */
  encoding?: TextEncodingName;
}

/** The fields that are members of one JSON object: the mapped ones, with a FILLER group's items in its place. */
export function jsonMembers(fields: LayoutField[]): LayoutField[] {
  return fields.flatMap((f) => (f.transparent ? jsonMembers(f.children ?? []) : f.mapped && f.jsonName !== undefined ? [f] : []));
}

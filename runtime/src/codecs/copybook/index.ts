// Copybook parser, record layouts and the record codec, for the `record` I/O mode
// and for every mode that moves records (call, batch): parse at build time,
// applyRecordSettings (encoding, fields, redefines), then encodeRecord/decodeRecord
// per record; events are parsed with parseEventJson so numbers keep their digits.
export { parseCopybook, type ParseOptions } from './copybook.ts';
export { dialectForStd } from './compute-layout.ts';
export { CopybookError, type SourceFormat } from './source.ts';
export type { RecordLayout, LayoutField, FieldKind, FieldValue, Value88, OccursInfo, Dialect, RedefinesChoice } from './layout.ts';
export { jsonName, cobolName } from './names.ts';
export { encodeRecord, decodeRecord, RecordDataError, type EncodeOptions, type FieldProblem } from './data.ts';
export { numberToDecimal, parseEventJson, MAX_EXACT_DIGITS } from './numbers.ts';
export { TEXT_ENCODINGS, FIELD_ENCODINGS, type TextEncodingName, type FieldEncodingName } from './text.ts';
export { flattenLayout, type FlatField } from './flatten.ts';
export { applyRecordSettings, RecordSettingsError, type RecordSettings, type RedefinesSetting } from './record-settings.ts';

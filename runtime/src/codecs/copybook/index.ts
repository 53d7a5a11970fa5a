// Copybook parser and record layouts for the `record` I/O mode.
export { parseCopybook, type ParseOptions } from './copybook.ts';
export { dialectForStd } from './compute-layout.ts';
export { CopybookError, type SourceFormat } from './source.ts';
export type { RecordLayout, LayoutField, FieldKind, FieldValue, Value88, OccursInfo, Dialect } from './layout.ts';
export { jsonName, cobolName } from './names.ts';
export { encodeRecord, decodeRecord, RecordDataError, type EncodeOptions, type FieldProblem } from './data.ts';
export { numberToDecimal, parseEventJson, MAX_EXACT_DIGITS } from './numbers.ts';
export { TEXT_ENCODINGS, FIELD_ENCODINGS, type TextEncodingName, type FieldEncodingName } from './text.ts';
export { flattenLayout, type FlatField } from './flatten.ts';

// Copybook parser and record layouts for the `record` I/O mode.
export { parseCopybook, type ParseOptions } from './copybook.ts';
export { dialectForStd } from './compute-layout.ts';
export { CopybookError, type SourceFormat } from './source.ts';
export type { RecordLayout, LayoutField, FieldKind, FieldValue, Value88, OccursInfo, Dialect } from './layout.ts';
export { jsonName, cobolName } from './names.ts';
export { encodeRecord, decodeRecord, numberToDecimal, RecordDataError, type EncodeOptions, type FieldProblem } from './data.ts';
export { flattenLayout, type FlatField } from './flatten.ts';

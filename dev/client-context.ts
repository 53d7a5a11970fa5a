// `X-Amz-Client-Context`: base64 of a JSON object, which Lambda hands the runtime
// as the JSON's UTF-8 bytes in `Lambda-Runtime-Client-Context`.
import { ServiceError } from './service-error.ts';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function invalid(): ServiceError {
  return new ServiceError(400, 'InvalidRequestContentException', 'Client context must be a valid Base64-encoded JSON object.');
}

/** The client context's JSON text, or a 400 for anything that is not base64 of a UTF-8 JSON object. */
export function decodeClientContext(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  if (!BASE64.test(header)) throw invalid();
  let text: string;
  let parsed: unknown;
  try {
    text = utf8.decode(Buffer.from(header, 'base64'));
    parsed = JSON.parse(text);
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid();
  // CR and LF cannot travel in a header; in valid JSON they can only be whitespace
  // between tokens (inside strings they are escaped), so dropping them changes nothing.
  return text.replace(/[\r\n]/g, '');
}

/**
 * A header value Node writes as these exact bytes: Node sends header strings as
 * Latin-1, one byte per character, so the UTF-8 bytes go out as they are.
 */
export function utf8HeaderValue(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

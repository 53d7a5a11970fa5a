// COPY ... REPLACING as cobc's preprocessor applies it. cobc compares text as its
// own preprocessor tokens: a word is a run of letters, digits, `-` and `_`, and
// every other character (`:`, `(`, `)`, ...) is a token of its own. So pseudo-text
// `==:TAG:==` matches the start of `:TAG:-NAME` (IBM's tagged copybooks), and the
// replacement joins the rest of the word: `CUST-NAME`. Replaced text is not
// examined again, and spaces between tokens do not count when matching.
import type { Token } from './source.ts';

export interface Replacement {
  from: Token[];
  to: Token[];
  /** LEADING / TRAILING: partial replacement at the start or end of one word. */
  mode: 'whole' | 'leading' | 'trailing';
}

/** A preprocessor token; `joined` when no space separates it from the one before (both pieces of one word). */
interface Piece {
  token: Token;
  joined: boolean;
}

const WORD_PIECE = /[A-Za-z0-9_\x80-\uffff-]+|[^A-Za-z0-9_\x80-\uffff-]/g;

function pieces(tokens: Token[]): Piece[] {
  return tokens.flatMap((token) => {
    if (token.kind !== 'word') return [{ token, joined: false }];
    return [...token.text.matchAll(WORD_PIECE)].map((m, k) => ({ token: { ...token, text: m[0] }, joined: k > 0 }));
  });
}

const samePiece = (a: Token, b: Token): boolean =>
  a.kind === b.kind && (a.kind === 'word' ? a.text.toUpperCase() === b.text.toUpperCase() : a.text === b.text && a.hex === b.hex);

/** Pieces back into tokens: joined word pieces make one word again. */
function joinPieces(out: Piece[]): Token[] {
  const tokens: Token[] = [];
  for (const p of out) {
    const previous = tokens[tokens.length - 1];
    if (p.joined && p.token.kind === 'word' && previous?.kind === 'word') {
      tokens[tokens.length - 1] = { ...previous, text: previous.text + p.token.text };
    } else {
      tokens.push({ ...p.token });
    }
  }
  return tokens;
}

export function applyReplacements(tokens: Token[], replacements: Replacement[]): Token[] {
  if (replacements.length === 0) return tokens;
  const rules = replacements.map((r) => ({ ...r, fromPieces: pieces(r.from), toPieces: pieces(r.to) }));
  const text = pieces(tokens);
  const out: Piece[] = [];
  let i = 0;
  outer: while (i < text.length) {
    const piece = text[i]!;
    for (const r of rules) {
      if (r.mode === 'whole') {
        const n = r.fromPieces.length;
        if (n > 0 && r.fromPieces.every((f, k) => text[i + k] !== undefined && samePiece(f.token, text[i + k]!.token))) {
          r.toPieces.forEach((t, k) => {
            out.push({ token: { ...t.token, file: piece.token.file, line: piece.token.line }, joined: k === 0 ? piece.joined : t.joined });
          });
          i += n;
          continue outer;
        }
      } else if (piece.token.kind === 'word') {
        const from = r.from[0]!.text.toUpperCase();
        const to = r.to.map((t) => t.text).join(' ');
        const word = piece.token.text;
        const upper = word.toUpperCase();
        let replaced: string | undefined;
        if (r.mode === 'leading' && upper.startsWith(from) && upper.length > from.length) replaced = to + word.slice(from.length);
        if (r.mode === 'trailing' && upper.endsWith(from) && upper.length > from.length) replaced = word.slice(0, -from.length) + to;
        if (replaced !== undefined) {
          out.push({ token: { ...piece.token, text: replaced }, joined: piece.joined });
          i++;
          continue outer;
        }
      }
    }
    out.push(piece);
    i++;
  }
  return joinPieces(out);
}

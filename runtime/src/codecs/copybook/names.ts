// JSON names from COBOL names, reversibly:
//   letters are lower case; a hyphen before a letter becomes that letter in
//   upper case; a hyphen before a digit becomes `_`; an underscore is doubled.
//   CUST-ACCT-ID → custAcctId, ADDR-LINE-1 → addrLine_1, LINE2 → line2,
//   WS_TOTAL → ws__total.
// `cobolName(jsonName(x)) === x` for every COBOL word that has no `--` or `-_` and
// neither starts nor ends with a hyphen (COBOL forbids the latter two).

const COBOL_WORD = /^[A-Z0-9][A-Z0-9_-]*$/;

export function jsonName(cobol: string): string | undefined {
  const name = cobol.toUpperCase();
  if (!COBOL_WORD.test(name) || name.endsWith('-') || name.includes('--') || name.includes('-_')) return undefined;
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (ch === '-') {
      const next = name[++i]!;
      if (next >= '0' && next <= '9') out += `_${next}`;
      else out += next;
    } else if (ch === '_') {
      out += '__';
    } else {
      out += ch.toLowerCase();
    }
  }
  return out;
}

export function cobolName(json: string): string {
  let out = '';
  for (let i = 0; i < json.length; i++) {
    const ch = json[i]!;
    if (ch === '_') {
      if (json[i + 1] === '_') {
        out += '_';
        i++;
      } else {
        out += '-';
      }
    } else if (ch >= 'A' && ch <= 'Z') {
      out += `-${ch}`;
    } else {
      out += ch.toUpperCase();
    }
  }
  return out;
}

// Deterministic zips with yazl: entries sorted by path, one fixed timestamp,
// modes 0755 (executable) or 0644, no directory entries, no extra timestamp
// field. The same folder contents give byte-identical zips on any machine.
import yazl from 'yazl';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readFileSync, renameSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { listLayerFiles } from './elf.ts';

/** 1980-01-01 00:00:00 in local time, so the DOS date/time fields are the same everywhere. */
const FIXED_DATE = new Date(1980, 0, 1, 0, 0, 0);

export interface ZipStats {
  zippedBytes: number;
  unzippedBytes: number;
  /** true when an identical zip from the same contents was already there. */
  reused: boolean;
}

/**
 * Where the fingerprint of a zip's contents (the files that went in, not the zip's
 * own bytes) is kept: named for what it is, so nobody checks the zip against it.
 */
export function contentsFingerprintFile(zipPath: string): string {
  return `${zipPath}.contents-fingerprint`;
}

/** Zips the contents of `dir` into `zipPath` (paths relative to `dir`). */
export async function writeDeterministicZip(dir: string, zipPath: string): Promise<ZipStats> {
  const files = listLayerFiles(dir).sort((a, b) => (a.layerPath < b.layerPath ? -1 : a.layerPath > b.layerPath ? 1 : 0));
  // Content fingerprint: an unchanged layer keeps its zip (zipping Node takes seconds).
  const h = createHash('sha256');
  let unzippedBytes = 0;
  const entries = files.map((f) => {
    const st = statSync(f.path);
    const mode = st.mode & 0o111 ? 0o100755 : 0o100644;
    unzippedBytes += st.size;
    return { ...f, mode, size: st.size };
  });
  for (const e of entries) {
    h.update(`${e.layerPath}\0${e.mode}\0${e.size}\0`);
    h.update(readFileSync(e.path));
  }
  const digest = h.digest('hex');
  const stamp = contentsFingerprintFile(zipPath);
  // Builds before this one kept it as <zip>.sha256, a name that promised the zip's own digest.
  rmSync(`${zipPath}.sha256`, { force: true });
  if (existsSync(zipPath) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
    return { zippedBytes: statSync(zipPath).size, unzippedBytes, reused: true };
  }
  rmSync(stamp, { force: true });
  const zip = new yazl.ZipFile();
  for (const e of entries) {
    zip.addReadStream(createReadStream(e.path), e.layerPath, {
      mtime: FIXED_DATE,
      mode: e.mode,
      size: e.size,
      compress: true,
      forceDosTimestamp: true,
    });
  }
  zip.end();
  const tmp = `${zipPath}.${process.pid}.tmp`;
  await pipeline(zip.outputStream, createWriteStream(tmp));
  renameSync(tmp, zipPath);
  writeFileSync(stamp, digest);
  return { zippedBytes: statSync(zipPath).size, unzippedBytes, reused: false };
}

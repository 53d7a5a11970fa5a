// Reading the zips a build writes, as Lambda unpacks them (modes kept).
import { chmodSync, createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';

function openZip(zip: string): Promise<yauzl.ZipFile> {
  return new Promise<yauzl.ZipFile>((ok, fail) => yauzl.open(zip, { lazyEntries: true }, (err, z) => (err ? fail(err) : ok(z!))));
}

export async function unzipInto(zip: string, dest: string): Promise<void> {
  const zipfile = await openZip(zip);
  await new Promise<void>((ok, fail) => {
    zipfile.on('error', fail);
    zipfile.on('end', ok);
    zipfile.on('entry', (entry: yauzl.Entry) => {
      const out = join(dest, entry.fileName);
      mkdirSync(dirname(out), { recursive: true });
      zipfile.openReadStream(entry, (err, stream) => {
        if (err) return fail(err);
        pipeline(stream!, createWriteStream(out))
          .then(() => {
            chmodSync(out, (entry.externalFileAttributes >>> 16) & 0o777);
            zipfile.readEntry();
          })
          .catch(fail);
      });
    });
    zipfile.readEntry();
  });
}

/** The file names in a zip, in its order. */
export async function zipEntries(zip: string): Promise<string[]> {
  const zipfile = await openZip(zip);
  const names: string[] = [];
  await new Promise<void>((ok, fail) => {
    zipfile.on('error', fail);
    zipfile.on('end', ok);
    zipfile.on('entry', (entry: yauzl.Entry) => {
      names.push(entry.fileName);
      zipfile.readEntry();
    });
    zipfile.readEntry();
  });
  zipfile.close();
  return names;
}

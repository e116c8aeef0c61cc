import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import zlib from 'node:zlib';

/**
 * A small ZIP reader for inspect's `.eval` logs, with the limits a hostile archive needs: it reads
 * the central directory, then only the entries asked for, one at a time, each inflated with a hard
 * output cap (zlib stops at the cap, so a bomb never inflates past it) and its CRC checked.
 */
export const ZIP_LIMITS = {
  /** Entries in the central directory. */
  entries: 500_000,
  /** Uncompressed bytes of one entry read. */
  entryBytes: 64 * 1024 * 1024,
  /** Uncompressed bytes of all entries read. */
  totalBytes: 2 * 1024 * 1024 * 1024,
  /** Uncompressed / compressed size of an entry over 1 MiB. */
  ratio: 100,
  /**
   * Uncompressed bytes of all entries read / the archive's size, past 64 MiB inflated. inspect
   * deflates each sample on its own, so a real log stays near 5–15:1 however repetitive its samples.
   */
  archiveRatio: 20,
};

export class ZipError extends Error {
  constructor(
    message: string,
    readonly entry?: string,
  ) {
    super(message);
  }
}

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

const MiB = 1024 * 1024;
const fmt = (bytes: number) => (bytes >= MiB ? `${Math.round(bytes / MiB)} MiB` : `${bytes} bytes`);

export class ZipReader {
  private readonly fd: number;
  private readonly fileSize: number;
  private inflated = 0;

  constructor(file: string) {
    this.fd = openSync(file, 'r');
    this.fileSize = fstatSync(this.fd).size;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Read-ahead: small entries laid out in order are served from one read per MiB, not two per entry. */
  private window: Buffer = Buffer.alloc(0);
  private windowAt = 0;

  private read(position: number, length: number): Buffer {
    if (!Number.isSafeInteger(position) || !Number.isSafeInteger(length) || position < 0 || length < 0)
      throw new ZipError('a damaged header (an impossible offset or size)');
    if (position + length > this.fileSize)
      throw new ZipError('an entry points past the end of the file (is the .eval file truncated?)');
    const offset = position - this.windowAt;
    if (offset >= 0 && offset + length <= this.window.length) return this.window.subarray(offset, offset + length);
    if (length < MiB) {
      this.window = this.readAt(position, Math.min(MiB, this.fileSize - position));
      this.windowAt = position;
      return this.window.subarray(0, length);
    }
    return this.readAt(position, length);
  }

  private readAt(position: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buf, done, length - done, position + done);
      if (n === 0) throw new ZipError('the file ended early (is the .eval file truncated?)');
      done += n;
    }
    return buf;
  }

  /** The central directory's entries (zip64 included). */
  entries(): ZipEntry[] {
    const tailLength = Math.min(this.fileSize, 22 + 0xffff);
    const tail = this.read(this.fileSize - tailLength, tailLength);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--)
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    if (eocd < 0) throw new ZipError('no ZIP end record (is the .eval file truncated?)');
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      // zip64: the locator sits just before the end record.
      const locatorAt = this.fileSize - tailLength + eocd - 20;
      const locator = this.read(locatorAt, 20);
      if (locator.readUInt32LE(0) !== 0x07064b50) throw new ZipError('a damaged zip64 end record');
      const end64 = this.read(Number(locator.readBigUInt64LE(8)), 56);
      if (end64.readUInt32LE(0) !== 0x06064b50) throw new ZipError('a damaged zip64 end record');
      count = Number(end64.readBigUInt64LE(32));
      cdSize = Number(end64.readBigUInt64LE(40));
      cdOffset = Number(end64.readBigUInt64LE(48));
    }
    if (count > ZIP_LIMITS.entries)
      throw new ZipError(
        `the archive lists ${count} entries; the limit is ${ZIP_LIMITS.entries.toLocaleString('en-US')}`,
      );
    const cd = this.read(cdOffset, cdSize);
    const out: ZipEntry[] = [];
    let p = 0;
    for (let k = 0; k < count; k++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50)
        throw new ZipError('a damaged central directory (is the .eval file truncated?)');
      const nameLength = cd.readUInt16LE(p + 28);
      const extraLength = cd.readUInt16LE(p + 30);
      const commentLength = cd.readUInt16LE(p + 32);
      if (p + 46 + nameLength + extraLength + commentLength > cd.length)
        throw new ZipError('a damaged central directory (an entry runs past its end)');
      const entry: ZipEntry = {
        name: cd.toString('utf8', p + 46, p + 46 + nameLength),
        flags: cd.readUInt16LE(p + 8),
        method: cd.readUInt16LE(p + 10),
        crc: cd.readUInt32LE(p + 16),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        offset: cd.readUInt32LE(p + 42),
      };
      // zip64 sizes and offset, in that order, for the fields that overflowed.
      let e = p + 46 + nameLength;
      const extraEnd = e + extraLength;
      while (e + 4 <= extraEnd) {
        const id = cd.readUInt16LE(e);
        const len = Math.min(cd.readUInt16LE(e + 2), extraEnd - e - 4);
        if (id === 0x0001) {
          let q = e + 4;
          const take = () => {
            const v = q + 8 <= e + 4 + len ? Number(cd.readBigUInt64LE(q)) : NaN;
            q += 8;
            return v;
          };
          if (entry.size === 0xffffffff) entry.size = take();
          if (entry.compressedSize === 0xffffffff) entry.compressedSize = take();
          if (entry.offset === 0xffffffff) entry.offset = take();
        }
        e += 4 + len;
      }
      if (![entry.size, entry.compressedSize, entry.offset].every(Number.isSafeInteger))
        throw new ZipError('a damaged zip64 size or offset');
      out.push(entry);
      p = extraEnd + commentLength;
    }
    return out;
  }

  /** One entry's bytes, within the limits; a bomb stops at the cap, never past it. */
  data(entry: ZipEntry): Buffer {
    const name = entry.name;
    if (entry.flags & 1) throw new ZipError('is encrypted', name);
    if (entry.size > ZIP_LIMITS.entryBytes)
      throw new ZipError(`inflates to ${fmt(entry.size)}; the limit is ${fmt(ZIP_LIMITS.entryBytes)} per entry`, name);
    if (entry.size > MiB && entry.size > ZIP_LIMITS.ratio * entry.compressedSize)
      throw new ZipError(
        `is compressed ${Math.round(entry.size / Math.max(1, entry.compressedSize))}:1 (${fmt(entry.compressedSize)} to ${fmt(entry.size)}); the limit is ${ZIP_LIMITS.ratio}:1 for entries over 1 MiB`,
        name,
      );
    if (this.inflated + entry.size > ZIP_LIMITS.totalBytes)
      throw new ZipError(`the entries read inflate past ${fmt(ZIP_LIMITS.totalBytes)}, the limit per archive`, name);
    // Many small entries that each stay under the per-entry ratio add up: the archive as a whole too.
    const archiveBudget = Math.max(64 * MiB, ZIP_LIMITS.archiveRatio * this.fileSize);
    if (this.inflated + entry.size > archiveBudget)
      throw new ZipError(
        `the entries read inflate past ${fmt(archiveBudget)}, more than ${ZIP_LIMITS.archiveRatio} times the archive's ${fmt(this.fileSize)}; the limit is ${ZIP_LIMITS.archiveRatio}:1 for an archive past 64 MiB inflated`,
        name,
      );
    const local = this.read(entry.offset, 30);
    if (local.readUInt32LE(0) !== 0x04034b50) throw new ZipError('has a damaged local header', name);
    const start = entry.offset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const raw = this.read(start, entry.compressedSize);
    let data: Buffer;
    if (entry.method === 0) data = raw;
    else if (entry.method === 8) {
      try {
        // One output chunk the entry's size (small entries are the common case): no 16 KiB buffer per entry.
        data = zlib.inflateRawSync(raw, {
          maxOutputLength: Math.max(1, entry.size),
          chunkSize: Math.min(MiB, Math.max(64, entry.size)),
        });
      } catch (err) {
        throw new ZipError(
          (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
            ? `inflates past the ${fmt(entry.size)} its header declares (a ZIP bomb?)`
            : `cannot be inflated (${(err as Error).message})`,
          name,
        );
      }
    } else throw new ZipError(`uses compression method ${entry.method} (only stored and deflate are read)`, name);
    if (data.length !== entry.size)
      throw new ZipError(`inflates to ${data.length} bytes, not the ${entry.size} its header declares`, name);
    if (crc32(data) !== entry.crc) throw new ZipError('fails its CRC check (the archive is damaged)', name);
    this.inflated += data.length;
    return data;
  }
}

let table: Int32Array | undefined;
function crc32(data: Buffer): number {
  const native = (zlib as { crc32?: (d: Buffer) => number }).crc32;
  if (native) return native(data);
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let c = -1;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

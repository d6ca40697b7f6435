// Host digests (nmap/host-digests.ts) of nmap's XML as it arrives on the pipe, by the full reader's digest
// mode: the monitor compares a scan with its reference host by host through them (monitor/comparison.ts),
// and computing them while nmap runs leaves nothing of that to do once it exits. They are the digests a
// file of the same bytes would get, so they compare with a digested reference file.
//
//   const digester = new StreamDigester(); ... digester.write(chunk) ...; const digests = digester.end();
import { Buffer } from 'node:buffer';
import { NmapXmlParser, type HostDigestSink } from './parse.ts';

export class StreamDigester {
  private readonly sink: HostDigestSink = {
    keyOf: () => null, // the hosts' ids come from the run parsed alongside
    keys: [],
    digests: [],
    byteStarts: [],
    byteEnds: [],
    readBytes: (start, end) => this.bytesAt(start, end),
  };
  private readonly parser = new NmapXmlParser({ source: 'nmap output', hostDigests: this.sink });
  /** The bytes since the end of the last host read (a host that spans chunks is read again from them). */
  private kept: Buffer[] = [];
  private keptStart = 0;
  private keptLength = 0;
  private failed = false;

  write(chunk: Buffer): void {
    if (this.failed) return;
    this.kept.push(chunk);
    this.keptLength += chunk.length;
    try {
      this.parser.write(chunk);
    } catch {
      this.fail(); // the run's own parser reports what is wrong with the XML
      return;
    }
    this.dropBefore(this.sink.byteEnds.at(-1) ?? 0);
  }

  /** Per host, in document order, its digest; undefined unless the XML was read to its end. */
  end(): string[] | undefined {
    if (this.failed) return undefined;
    try {
      if (this.parser.end().completeness.status !== 'complete') return undefined;
    } catch {
      return undefined;
    }
    this.kept = [];
    return this.sink.digests;
  }

  private fail(): void {
    this.failed = true;
    this.kept = [];
  }

  private dropBefore(offset: number): void {
    while (this.kept.length > 1 && this.keptStart + this.kept[0]!.length <= offset) {
      this.keptStart += this.kept[0]!.length;
      this.keptLength -= this.kept[0]!.length;
      this.kept.shift();
    }
  }

  private bytesAt(start: number, end: number): Buffer {
    if (start < this.keptStart || end > this.keptStart + this.keptLength) return Buffer.alloc(0);
    const all = this.kept.length === 1 ? this.kept[0]! : Buffer.concat(this.kept);
    return all.subarray(start - this.keptStart, end - this.keptStart);
  }
}

// read.mjs: every record of a WARC file as read by warcio.js, one JSON line each, for
// tests/core/test_archive.py; scripts/install-warcio copies it beside its node_modules.
import { createReadStream } from "node:fs";
import { WARCParser } from "warcio";

const parser = new WARCParser(createReadStream(process.argv[2]));
for await (const record of parser) {
  const block = await record.readFully(false); // the payload, after the HTTP head if any
  const line = {
    offset: parser.offset,
    length: parser.recordLength,
    type: record.warcType,
    id: record.warcHeader("WARC-Record-ID"),
    date: record.warcDate,
    uri: record.warcTargetURI ?? null,
    concurrent_to: record.warcHeader("WARC-Concurrent-To") ?? null,
    block_digest: record.warcBlockDigest ?? null,
    payload_digest: record.warcPayloadDigest ?? null,
    status: record.httpHeaders ? record.httpHeaders.statusCode : null,
    http_headers: record.httpHeaders ? Object.fromEntries(record.httpHeaders.headers) : null,
    payload: Buffer.from(block).toString("base64"),
  };
  process.stdout.write(JSON.stringify(line) + "\n");
}

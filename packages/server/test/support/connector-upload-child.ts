// A process that starts an upload and never finishes it, for the "killed in the middle of an upload" contract case.
// argv[2]: JSON {target, folder, name}. Writes endless pseudo-random bytes; prints `UPLOADING <bytes>` to stdout once
// more than 10 MiB went out (several parts or blocks flushed), then keeps writing until it is killed.
import { Readable } from 'node:stream';
import { createConnectorFactory } from '../../src/connectors/connector-factory.js';
import type { ConnectorTarget } from '../../src/connectors/connector.js';

const { target, folder, name } = JSON.parse(process.argv[2] ?? '{}') as { target: ConnectorTarget; folder: string; name: string };
const connector = createConnectorFactory({ callTimeoutMs: 30_000 }).open(target);
const upload = await connector.beginUpload({ folder, name });
const chunk = Buffer.alloc(256 * 1024, 7);
let sent = 0;
let announced = false;
function* endless() {
  for (;;) {
    sent += chunk.length;
    if (!announced && sent > 10 * 1024 * 1024) {
      announced = true;
      // Give the transport a moment to flush what it was handed before announcing.
      setTimeout(() => process.stdout.write(`UPLOADING ${sent}\n`), 300);
    }
    yield chunk;
  }
}
await upload.write(Readable.from(endless()));

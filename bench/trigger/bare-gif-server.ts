import { createServer } from 'node:http';
import { TRANSPARENT_GIF } from '../../src/server/trigger/gif.js';

// The baseline: the least a server can do for a web bug, the same GIF and headers, no store.
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.sendDate = false;
    res.writeHead(200, {
      'content-type': 'image/gif',
      'cache-control': 'no-store, no-cache, must-revalidate, max-age=0',
      pragma: 'no-cache',
      'content-length': TRANSPARENT_GIF.length,
    });
    res.end(TRANSPARENT_GIF);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});

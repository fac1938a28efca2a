// A node:test reporter that writes one JSON line per skipped test or suite: its file, its name, the names
// of the suites around it (outermost first) and the reason given. run-tests.mjs reads them in CI, where a
// skip nobody expected fails the run.
import { relative } from 'node:path';

export default async function* skipReporter(source) {
  // Per file, the names of the tests started at each nesting level: the path of a test that ends.
  const started = new Map();
  for await (const event of source) {
    const { data } = event;
    if (event.type === 'test:start') {
      const names = started.get(data.file) ?? [];
      names.length = data.nesting;
      names.push(data.name);
      started.set(data.file, names);
    }
    if (
      (event.type === 'test:pass' || event.type === 'test:fail') &&
      data.skip !== undefined &&
      data.skip !== false
    ) {
      const suites = (started.get(data.file) ?? []).slice(0, data.nesting);
      const file = data.file === undefined ? '' : relative(process.cwd(), data.file);
      const reason = data.skip === true ? '' : String(data.skip);
      yield `${JSON.stringify({ file, suites, name: data.name, reason })}\n`;
    }
  }
}

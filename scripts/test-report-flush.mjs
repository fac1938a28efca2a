// Loaded (--import) by scripts/run-tests.mjs into the runner and every test file's process; it acts in the
// latter. A test file's process reports each test's verdict to the runner over its stdout, a pipe, and on Linux
// Node writes to a pipe asynchronously. With --test-force-exit the process ends by process.exit as soon as its
// tests have, and whatever was still queued for the pipe is dropped: the runner then counts fewer tests than
// ran, and a failed test's name and error can vanish (only its file is reported failed) along with the skips
// CI checks (nodejs/node#64833, open). A blocking stdout makes every report reach the pipe before the end.
if (process.env.NODE_TEST_CONTEXT === 'child-v8') process.stdout._handle?.setBlocking?.(true);

/** Polls `pred` until it holds (or fails after `timeoutMs`, with `describe()` in the message). */
export async function waitUntil(pred: () => boolean, describe: () => string = () => '', timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting: ${describe()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Like waitUntil, for an asynchronous predicate. */
export async function waitUntilAsync(pred: () => Promise<boolean>, describe: () => string = () => '', timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting: ${describe()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

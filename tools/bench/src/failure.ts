/** A benchmark that cannot run as asked, or whose check failed (e.g. a broadcast that was not exactly once): printed as one line. */
export class BenchFailure extends Error {
  override readonly name = 'BenchFailure';
}

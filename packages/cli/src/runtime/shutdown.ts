/** Resolves on the first SIGTERM or SIGINT; a second signal forces exit (operator insists). */
export function waitForShutdown(onSignal?: (signal: NodeJS.Signals) => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const handler = (signal: NodeJS.Signals) => {
      if (received) {
        process.stderr.write(`tickler: ${signal} again, exiting now\n`);
        process.exit(130);
      }
      received = true;
      onSignal?.(signal);
      resolve(signal);
    };
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  });
}

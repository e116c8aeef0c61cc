// The action's entry. The bundle is minified: a debug run (re-run with debug logging) maps stack
// traces to src/ through the source maps beside it; they are read as the action's code loads.
if (process.env.RUNNER_DEBUG === '1') process.setSourceMapsEnabled(true);
const { run } = await import('./action/run.js');
await run();

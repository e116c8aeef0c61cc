// Preloaded with --import: prints the process's peak RSS (MB) and CPU time on exit, to stderr.
process.on('exit', () => {
  const u = process.resourceUsage();
  process.stderr.write(
    `\nBENCH ${JSON.stringify({ peakRssMb: u.maxRSS / 1024, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 })}\n`,
  );
});

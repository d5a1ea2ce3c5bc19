#!/usr/bin/env node
import { buildProgram, describeFailure } from './cli/program.js';

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  const { code, message } = describeFailure(error);
  if (message) process.stderr.write(`maturity-pulse: ${message}\n`);
  process.exitCode = code;
}

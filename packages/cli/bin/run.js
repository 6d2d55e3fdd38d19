#!/usr/bin/env node
import { execute, settings } from '@oclif/core';

// Commands always run from the compiled dist/ (built by `tsc -b`). Without this, oclif maps
// dist/ back to src/*.ts whenever NODE_ENV is "test" or "development" (vitest sets it) and
// looks for ts-node, which this project does not use.
settings.enableAutoTranspile = false;

await execute({ dir: import.meta.url });

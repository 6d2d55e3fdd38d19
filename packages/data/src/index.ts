export * from './errors.js';
export * from './columns.js';
export * from './episode.js';
export * from './metadata.js';
export * from './paths.js';
export * from './space-codec.js';
export * from './writer.js';
export * from './dataset.js';
export { loadH5, openH5ForReading } from './h5.js';

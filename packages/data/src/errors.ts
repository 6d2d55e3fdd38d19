import { RlftError } from '@rlft/core';

/** A dataset that cannot be read or written: names the file and what was wrong with it. */
export class DatasetError extends RlftError {
  readonly path: string;
  constructor(path: string, message: string, options?: ErrorOptions) {
    super('DATASET_INVALID', `${path}: ${message}`, options);
    this.path = path;
  }
}

import { UserError } from '../lib/errors.js';
import type { StoreErrorCode } from './types.js';

/** A refusal by the store (address taken, allowance used up…); the message is safe to show. */
export class StoreError extends UserError {
  declare readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string) {
    super(code, message);
  }
}

/**
 * What `checkTriggers` reads and returns. Files come through `readFile`
 * (text and modification time) so the checks are pure and testable with
 * fixtures and a fixed `now`.
 */

export type TriggerKind = 'schedule' | 'drift' | 'metric';

export interface TriggerResult {
  trigger: TriggerKind;
  fired: boolean;
  /** One sentence a person reads in the CI log: why it fired or not. */
  reason: string;
}

export interface TriggerCheck {
  /** True when any trigger fired: CI should retrain. */
  fire: boolean;
  results: TriggerResult[];
}

/** A file's text and modification time, or undefined when it does not exist / cannot be read. */
export type TriggerFileReader = (absPath: string) => { text: string; modified: Date } | undefined;

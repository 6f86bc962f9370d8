/** Types of eslint.config.js for the tests that check the house rules (test/lint). */
import type { Linter } from 'eslint';

export declare const layers: readonly string[];
declare const config: Linter.Config[];
export default config;

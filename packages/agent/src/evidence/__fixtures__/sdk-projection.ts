import { createEngine, pseudonymiseFact } from '@esms-numerique/sdk';
import type { ComputeOptions as SdkComputeOptions, Fact as SdkFact } from '@esms-numerique/sdk';
import type { ComputationLike, ComputeOptions, Fact } from '../recompute.js';

/**
 * The SDK's engine and fact pseudonymiser behind the evidence code's structural types, as a test builds a
 * projection the way the runner does (the runner itself calls the SDK directly).
 */
export const sdkProjectionApi = {
  createEngine: (
    options: ComputeOptions & { onFact?: (fact: Fact) => void },
  ): { add(record: unknown): void; finish(): ComputationLike } => {
    const { onFact, ...rest } = options;
    const engine = createEngine({
      ...(rest as unknown as SdkComputeOptions),
      ...(onFact === undefined ? {} : { onFact: (fact: SdkFact) => onFact(fact as unknown as Fact) }),
    });
    return { add: (record) => engine.add(record), finish: () => engine.finish() };
  },
  pseudonymiseFact: (fact: Fact, pseudonymise: (key: string) => string): Fact =>
    pseudonymiseFact(fact as unknown as SdkFact, pseudonymise) as unknown as Fact,
};

export { AllocationEnv, OrderStepper, EnvError, shadowPrice } from './allocation-env.js';
export type { AgentScope, AllocationEnvConfig, CreditMode, Observation, StepInfo, StepResult } from './allocation-env.js';
export { VectorAllocationEnv } from './vector-env.js';
export type { VectorStep } from './vector-env.js';
export { checkEnvConformance, cyclingChooser } from './conformance.js';
export type { Chooser, ConformanceReport } from './conformance.js';

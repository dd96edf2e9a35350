export { validateDecision, DecisionError, SEGMENT_KINDS } from './contract.js';
export type {
  Allocation,
  Candidate,
  ContractPosition,
  Decision,
  DecisionContext,
  DecidedBy,
  DecidedByKind,
  InboundView,
  LineContext,
  LineDecision,
  ModeOption,
  OrderContext,
  PendingOrderView,
  PerSegment,
  Policy,
  SegmentKind,
} from './contract.js';
export { chooseMode, expectedLate, landedCost, greedyFill, TakenStock } from './helpers.js';
export {
  createRulePolicy,
  describeRules,
  parseWeights,
  PolicyConfigError,
  RULE_NAMES,
  nearest,
  cheapest,
  priority,
  fairShare,
  reserve,
} from './rules.js';

export { ScenarioSchema, CONTRACT_MODES } from './schema.js';
export type { Scenario, ScenarioInput, Region, Warehouse, Mode, Sku, Segment, ContractMode } from './schema.js';
export {
  ScenarioError,
  loadScenario,
  parseScenario,
  scenarioFromYaml,
  listScenarios,
  scenariosDir,
  scenarioJsonSchema,
  generatedSkuId,
  parseContractMode,
} from './load.js';
export type { LoadedScenario, ScenarioOverrides } from './load.js';

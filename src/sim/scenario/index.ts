export { ScenarioSchema } from './schema.js';
export type { Scenario, ScenarioInput, Region, Warehouse, Mode, Sku, Segment } from './schema.js';
export {
  ScenarioError,
  loadScenario,
  parseScenario,
  scenarioFromYaml,
  listScenarios,
  scenariosDir,
  scenarioJsonSchema,
  generatedSkuId,
} from './load.js';
export type { LoadedScenario } from './load.js';

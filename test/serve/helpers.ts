import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DecisionContext, Policy } from '../../src/sim/policies/contract.js';
import { loadScenario } from '../../src/sim/scenario/load.js';
import { buildWorld, type World } from '../../src/sim/model/world.js';
import { Simulation } from '../../src/sim/engine.js';
import type * as protoLoader from '@grpc/proto-loader';
import type { RecommendRequest, RecommendRequest__Output } from '../../src/gen/allocation/v1/RecommendRequest.js';
import { loadAllocationProto, SERVICE_NAME } from '../../src/serve/proto.js';
import type { StockLevel } from '../../src/gen/allocation/v1/StockLevel.js';
import type { WarehouseState } from '../../src/gen/allocation/v1/WarehouseState.js';
import type { SegmentContract } from '../../src/gen/allocation/v1/SegmentContract.js';
import { memoryLogger } from '../../src/serve/log.js';
import { startServer, type RunningServer, type ServeOptions } from '../../src/serve/server.js';
import { api, createClient, type AllocationApi } from '../../src/serve/client.js';
import type { AllocationServiceClient } from '../../src/gen/allocation/v1/AllocationService.js';

export function tempDir(prefix = 'allocsim-serve-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

let worldCache: World | undefined;
export function defaultWorld(): World {
  return (worldCache ??= buildWorld(loadScenario('default').scenario));
}

/**
 * Contexts from a simulator run (external stepping): every `every`-th decision
 * up to `max`, decided and submitted with `policy` so the state moves on.
 */
export function simulatorContexts(world: World, policy: Policy, opts: { seed: number; days: number; max: number; every?: number }): DecisionContext[] {
  const sim = new Simulation(world, policy, { seed: opts.seed, days: opts.days, external: true });
  sim.start();
  const out: DecisionContext[] = [];
  let i = 0;
  for (let ctx = sim.nextDecision(); ctx; ctx = sim.nextDecision()) {
    if (i++ % (opts.every ?? 1) === 0 && out.length < opts.max) out.push(structuredClone(ctx));
    sim.submit(policy.decide(ctx));
    if (out.length >= opts.max) break;
  }
  return out;
}

/**
 * Turns the state a context shows into a Recommend request: stock and
 * warehouse state of the candidates, inbound elsewhere on a non-candidate
 * warehouse (so network totals match), pending units, the order's contract
 * position and every contract segment's standing.
 */
export function requestFromContext(world: World, ctx: DecisionContext): RecommendRequest {
  const o = ctx.order;
  const stock: StockLevel[] = [];
  const warehouses: WarehouseState[] = [];
  const seenWh = new Set<string>();
  for (const l of o.lines) {
    let inboundHere = 0;
    for (const c of l.candidates) {
      stock.push({
        warehouse: c.warehouse,
        sku: l.sku,
        available: c.available,
        inbound: c.inbound.map((b) => ({ quantity: b.quantity, etaHours: b.etaHours })),
        inventoryAgeHours: c.inventoryAgeHours,
      });
      for (const b of c.inbound) inboundHere += b.quantity;
      if (!seenWh.has(c.warehouse)) {
        seenWh.add(c.warehouse);
        warehouses.push({ warehouse: c.warehouse, outage: false, capacityLeftToday: c.capacityLeftToday, shipDelayHours: c.shipDelayHours });
      }
    }
    const rest = l.networkInbound - inboundHere;
    const cand = new Set(l.candidates.map((c) => c.warehouse));
    const other = world.scenario.warehouses.find((w) => !cand.has(w.id));
    if (rest > 0 && other) stock.push({ warehouse: other.id, sku: l.sku, available: 0, inbound: [{ quantity: rest, etaHours: 1 }] });
  }
  return {
    order: {
      id: o.id,
      customer: 'c-1',
      segment: o.segment,
      shipTo: o.region,
      createdHours: o.createdHours,
      lines: o.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice, pendingUnits: { ...l.pendingUnits } })),
      contract: o.contract
        ? { orderedUnits: o.contract.orderedUnits, filledUnits: o.contract.filledUnits, hoursToPeriodEnd: o.contract.hoursToPeriodEnd }
        : undefined,
    },
    snapshot: { nowHours: ctx.nowHours, hoursLeft: ctx.hoursLeft, stock, warehouses, contracts: segmentContracts(ctx) },
  };
}

/** Every contract segment's standing a context shows, as a request's `snapshot.contracts`. */
export function segmentContracts(ctx: DecisionContext): SegmentContract[] {
  return (ctx.contracts ?? []).map((p) => ({
    segment: p.segment,
    position: { orderedUnits: p.orderedUnits, filledUnits: p.filledUnits, hoursToPeriodEnd: p.hoursToPeriodEnd },
  }));
}

/** Encodes and decodes a request exactly as the wire does. */
export function overTheWire(req: RecommendRequest): RecommendRequest__Output {
  const def = loadAllocationProto().packageDefinition[SERVICE_NAME] as protoLoader.ServiceDefinition;
  const m = def.Recommend!;
  return m.requestDeserialize(m.requestSerialize(req)) as RecommendRequest__Output;
}

export interface TestServer extends RunningServer {
  client: AllocationServiceClient;
  api: AllocationApi;
  auditPath: string;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1:0 with a temp audit log and a typed client. */
export async function startTestServer(opts: Partial<ServeOptions> = {}): Promise<TestServer> {
  const dir = tempDir();
  const auditPath = opts.auditPath ?? join(dir, 'audit.sqlite');
  const s = await startServer({ scenario: 'default', host: '127.0.0.1', port: 0, auditPath, log: memoryLogger(), ...opts });
  const client = createClient(`127.0.0.1:${s.port}`);
  return {
    ...s,
    client,
    api: api(client),
    auditPath,
    async close() {
      client.close();
      await s.shutdown();
    },
  };
}

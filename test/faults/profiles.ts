/**
 * How big and how long a fault run is. `full` is the profile (≥ 2,000 orders, outages of
 * 30 s, 60 s and 10 minutes); `ci` keeps every fault class with shorter outages, within a few minutes.
 */
export interface Profile {
  name: string;
  customers: number;
  ordersPerCustomer: number;
  /** The run fails with fewer orders created (converts that stock refused create none). */
  minOrders: number;
  /** The workload stops placing orders after this long, whatever the count. */
  workloadMaxMs: number;
  postgresDownMs: number;
  brokerPausedMs: number;
  serviceKilledMs: number;
  /** Payment provider and SMTP server down together for this long. */
  providerDownMs: number;
  carrierDownMs: number;
  /** Pause between two outages of the sequence. */
  gapMs: number;
  duplicatesEveryMs: number;
  duplicatesBatch: number;
  crashRate: number;
  /** Quiescence must come within this long after the last fault is lifted. */
  recoveryTimeoutMs: number;
  /** The first wait of every re-drive (cart, order, notification, undelivered event); each next one doubles, up to 8×. */
  redriveAfterSeconds: number;
}

export const profiles: Record<string, Profile> = {
  ci: {
    name: 'ci',
    customers: 30,
    ordersPerCustomer: 6,
    minOrders: 100,
    workloadMaxMs: 240_000,
    postgresDownMs: 8_000,
    brokerPausedMs: 8_000,
    serviceKilledMs: 20_000,
    providerDownMs: 20_000,
    carrierDownMs: 8_000,
    gapMs: 8_000,
    duplicatesEveryMs: 2_000,
    duplicatesBatch: 10,
    crashRate: 0.01,
    recoveryTimeoutMs: 600_000,
    redriveAfterSeconds: 60,
  },
  full: {
    name: 'full',
    customers: 60,
    // about one convert in six is refused for stock (an outcome the suite checks too): 2,520 converts for ≥ 2,000 orders
    ordersPerCustomer: 42,
    minOrders: 2_000,
    workloadMaxMs: 60 * 60_000,
    postgresDownMs: 30_000,
    brokerPausedMs: 30_000,
    serviceKilledMs: 60_000,
    providerDownMs: 10 * 60_000,
    carrierDownMs: 30_000,
    gapMs: 20_000,
    duplicatesEveryMs: 2_000,
    duplicatesBatch: 20,
    // 1 % of passes is every few seconds per service once the backlog of the 10-minute outage is
    // re-driven: the services spent most of their time restarting and the workload stood still
    crashRate: 0.003,
    recoveryTimeoutMs: 20 * 60_000,
    // 60 s re-drove hundreds of orders and notifications that were only waiting out the 10-minute outage,
    // and their duplicates kept the emulator at a full core (docs/RELIABILITY.md)
    redriveAfterSeconds: 120,
  },
};

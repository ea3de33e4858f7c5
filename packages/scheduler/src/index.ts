export { makeSchedulerConfig, DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig, type SchedulerDeps } from './config';
export { makeScanner, type Scanner, type ScanReport, type ScanRow } from './scanner';
export { CALENDAR_KEY, HORIZON_KEY, type ScanWindow } from './scan-window';
export { reconcile, type ReconcileReport } from './reconcile';
export { makeScanProcessor, type ScanJobResult } from './scan-processor';
export { makeOrderEventProcessor, type OrderEventResult } from './order-event-processor';
export { planOrderNow, type OrderPlanResult } from './plan-order';
export { makeForecaster, type Forecaster } from './forecaster';
export { startSchedulerRole, SCAN_SCHEDULER_ID, type SchedulerRole, type SchedulerRoleOptions } from './scheduler-role';

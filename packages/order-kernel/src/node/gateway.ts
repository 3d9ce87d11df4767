import type { Command, OrderEvent } from '@strata/contract';
import type { ControlInput } from '../core/types.js';
import type { OrderView } from '../fsm.js';
import { validateCommand, validateControl, type Drift, type GatewayBackend, type ReconcileReport, type SendResult } from './protocol.js';
import type { OrderService, StepResult } from './service.js';

/**
 * The in-process OrderGateway: a thin wrapper over an OrderService. Validates like the socket
 * server does, so both gateways accept and refuse exactly the same inputs.
 */
export class LocalGateway implements GatewayBackend {
  readonly venueId: string;
  constructor(
    readonly service: OrderService,
    private readonly options: { readonly closeService?: boolean } = {},
  ) {
    this.venueId = service.venueId;
  }

  async send(cmd: Command): Promise<SendResult> {
    return toSendResult(await this.service.handle(validateCommand(cmd)));
  }

  async control(input: ControlInput): Promise<SendResult> {
    return toSendResult(await this.service.handle(validateControl(input)));
  }

  onEvent(listener: (event: OrderEvent) => void): () => void {
    return this.service.onEvent(listener);
  }

  async orders(): Promise<OrderView[]> {
    return this.service.orders();
  }

  drift(): readonly Drift[] {
    return this.service.drift();
  }

  reconcile(): Promise<ReconcileReport> {
    return this.service.reconcile();
  }

  async close(): Promise<void> {
    if (this.options.closeService !== false) await this.service.close();
  }
}

function toSendResult(r: StepResult): SendResult {
  return { events: r.events, ...(r.duplicate ? { duplicate: r.duplicate } : {}), ...(r.conflict ? { conflict: r.conflict } : {}) };
}

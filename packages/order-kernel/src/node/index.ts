// @strata/order-kernel/node — the order kernel's I/O shell: order log, credentials, service, transport.
export { ManualClock, systemClock, type Clock } from './clock.js';
export {
  CREDENTIALS_FORMAT,
  CREDENTIALS_KEY_ENV,
  CredentialsStore,
  credentialsKeyFromEnv,
  redactValues,
  Secret,
  type CredentialsInput,
  type CredentialsStoreOptions,
  type VenueCredentials,
} from './credentials.js';
export { OrderShellError, SHELL_ERROR_CODES, type ShellErrorCode } from './errors.js';
export { ORDER_LOG_SCHEMA_VERSION, SqliteOrderLog, type SqliteOrderLogOptions } from './order-log.js';
export {
  GATEWAY_PROTOCOL,
  MAX_FRAME_BYTES,
  validateCommand,
  validateControl,
  validateEvent,
  type Drift,
  type GatewayBackend,
  type OrderGateway,
  type ReconcileReport,
  type SendResult,
} from './protocol.js';
export { GatewayServer, type GatewayServerOptions } from './server.js';
export { SocketGateway, type SocketGatewayOptions } from './transport.js';
export { LocalGateway } from './gateway.js';
export { OrderService, type OrderServiceOptions, type RetryPolicy, type ServiceIssue, type StepResult } from './service.js';

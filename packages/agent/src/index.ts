export const AGENT_PACKAGE = '@strata/agent';

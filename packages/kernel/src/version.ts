/** Engine version recorded in every run's outputs. */
export const KERNEL_VERSION = '0.1.0';

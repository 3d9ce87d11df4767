/** Engine version recorded in every plan; bumped with the package version (a test keeps them equal). */
export const COMPILER_VERSION = '0.1.0';

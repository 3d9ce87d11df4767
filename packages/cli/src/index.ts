export { buildProgram, main, type Io } from './main.js';
export { runCompile, type CompileCommandOptions } from './compile-command.js';
export { parseParamOverrides, writeFileAtomic } from './io.js';

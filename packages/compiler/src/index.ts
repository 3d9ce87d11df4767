export { compileFile, compileSource, type CompileOptions, type CompileResult } from './compile.js';
export { DIAGNOSTIC_CODES, formatDiagnostic, sortDiagnostics, type Diagnostic, type DiagnosticCode, type FormatOptions, type RelatedLocation, type Severity } from './diagnostics.js';
export { BAR_FIELDS, CATALOG, DERIVED_FIELDS, catalogEntry, type BarField, type CatalogEntry, type CatalogInput, type CatalogOutput, type CatalogParam, type NodeKind, type ParamType, type ValueType } from './catalog.js';
export type { Arg, BinaryOp, Expr, ExprSpan, UnaryOp } from './expr/ast.js';
export { parseExpression, MAX_EXPR_DEPTH, type ParseError, type ParseResult } from './expr/parser.js';
export { printExpr } from './expr/printer.js';
export type { Plan, PlanExecution, PlanNode, PlanParamValue, PlanPortfolio, PlanRisk, PlanRules, PlanSizing, PlanStop } from './plan.js';
export { signatureOf } from './internal/lower.js';
export { COMPILER_VERSION } from './version.js';

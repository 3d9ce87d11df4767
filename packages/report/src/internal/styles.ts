/** The report's stylesheet (inlined; system fonts only, no web fonts: the page makes no requests). */
export const STYLES = `
:root {
  --bg: #f3f5f8;
  --card: #ffffff;
  --ink: #0f172a;
  --ink-2: #334155;
  --muted: #64748b;
  --line: #e2e8f0;
  --line-2: #f1f5f9;
  --accent: #2563eb;
  --bench: #94a3b8;
  --pos: #15803d;
  --neg: #b91c1c;
  --mono: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif;
  font-variant-numeric: tabular-nums;
}
a { color: var(--accent); }
.wrap { max-width: 1240px; margin: 0 auto; padding: 0 24px; }

header.top { background: #0f172a; color: #e2e8f0; padding: 22px 0 20px; }
header.top .eyebrow { font-size: 12px; letter-spacing: .08em; text-transform: uppercase; color: #94a3b8; }
header.top h1 { margin: 4px 0 4px; font-size: 26px; font-weight: 650; color: #fff; }
header.top .desc { margin: 0 0 14px; color: #cbd5e1; max-width: 900px; }
.meta { display: flex; flex-wrap: wrap; gap: 10px 40px; margin: 0; }
.meta div { min-width: 0; }
.meta dt { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: #94a3b8; }
.meta dd { margin: 1px 0 0; color: #f8fafc; white-space: nowrap; }
.meta dd .muted { color: #94a3b8; }
.meta.hashes { margin-top: 10px; }
.meta.hashes div { flex: 1 1 420px; }
.meta dd.hash { font-family: var(--mono); font-size: 12px; white-space: normal; overflow-wrap: anywhere; color: #cbd5e1; }

main.wrap { padding-top: 20px; padding-bottom: 8px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(132px, 1fr)); gap: 12px; margin-bottom: 18px; }
.kpi { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.kpi .label { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); }
.kpi .value { font-size: 22px; font-weight: 650; margin-top: 2px; white-space: nowrap; }
.kpi .bench { font-size: 12px; color: var(--muted); margin-top: 2px; white-space: nowrap; }

section.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px 18px; margin-bottom: 18px; }
section.card > h2 { font-size: 15px; font-weight: 650; margin: 0 0 12px; display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
section.card > h2 .sub { font-weight: 400; color: var(--muted); font-size: 13px; }
section.card > h2 .spacer { flex: 1; }
.legend { display: flex; gap: 16px; font-size: 12px; color: var(--ink-2); font-weight: 400; }
.legend .sw { display: inline-block; width: 14px; height: 3px; border-radius: 2px; vertical-align: middle; margin-right: 6px; }
.toggle { font-size: 12px; font-weight: 400; color: var(--ink-2); display: inline-flex; align-items: center; gap: 6px; cursor: pointer; user-select: none; }
.chart { position: relative; width: 100%; }
.chart.equity { height: 360px; }
.chart.drawdown { height: 190px; margin-top: 10px; }
.chart.price { height: 420px; }
.chart-title { font-size: 12px; color: var(--muted); margin: 14px 0 4px; }
.chart-error { color: var(--neg); font-family: var(--mono); font-size: 12px; white-space: pre-wrap; }

.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
@media (max-width: 900px) { .grid2 { grid-template-columns: 1fr; } }
.grid2 > section.card { margin-bottom: 0; }
.grid2 { margin-bottom: 18px; }
.grid2.flush { margin-bottom: 0; gap: 28px; }

table { border-collapse: collapse; width: 100%; }
th, td { padding: 6px 10px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
thead th { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); background: #fafbfc; }
tbody td { border-bottom: 1px solid var(--line-2); }
tbody tr:last-child td { border-bottom: 0; }
table.summary td:first-child { color: var(--ink-2); }
table.summary tr.group td { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); font-weight: 600; padding-top: 14px; border-bottom: 1px solid var(--line); background: transparent; }
table.summary td.strategy { font-weight: 600; }
table.summary td.benchmark { color: var(--ink-2); }
.pos { color: var(--pos); }
.neg { color: var(--neg); }
.scroll { overflow-x: auto; }
.note { font-size: 12px; color: var(--muted); margin: 10px 0 0; }
.empty { color: var(--muted); font-style: italic; padding: 6px 0; }

table.heatmap { table-layout: fixed; }
table.heatmap th, table.heatmap td { text-align: center; padding: 6px 2px; font-size: 12px; }
table.heatmap th:first-child, table.heatmap td:first-child { text-align: left; padding-left: 8px; width: 56px; font-weight: 600; }
table.heatmap td.hm, table.heatmap td.hm-year { border: 2px solid #fff; border-radius: 4px; }
table.heatmap td.hm-year { font-weight: 700; }
table.heatmap th.year-col { border-left: 8px solid #fff; }
table.heatmap td.hm-year { border-left-width: 8px; }
table.heatmap td.hm-none { color: #cbd5e1; border: 2px solid #fff; }
table.heatmap tbody td { border-bottom: 0; }

table.trades td.sym { font-weight: 600; }
table.trades th.left, table.trades td.left { text-align: left; }
table.trades td.reason { color: var(--muted); text-align: left; }
table.trades th.reason { text-align: left; }

footer { color: var(--muted); font-size: 12px; padding: 8px 0 28px; line-height: 1.6; }
footer code { font-family: var(--mono); }
`;

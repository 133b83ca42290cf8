//! The report's inline stylesheet: screen layout for a laptop, and print rules for A4/Letter.

/// CSS embedded in every report (no web fonts: the system's sans-serif is used).
pub const CSS: &str = r#"
:root {
  --ink: #1b1f24; --muted: #5b6573; --faint: #8a939f; --rule: #e2e5e9; --band: #f6f7f9;
  --accent: #b42318; --accent-bg: #fef3f2; --warn: #8a5a00; --warn-bg: #fff8e6;
  --in: #2a62c9; --out: #d9730d; --ok: #1f7a3f;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; color: var(--ink); background: #fff;
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
  -webkit-print-color-adjust: exact; print-color-adjust: exact;
}
main { max-width: 1120px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 26px; line-height: 1.2; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 40px 0 6px; padding-top: 12px; border-top: 2px solid var(--ink); }
h3 { font-size: 15px; margin: 24px 0 6px; }
h4 { font-size: 13px; margin: 16px 0 4px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
p { margin: 6px 0 10px; max-width: 78ch; }
.lede { color: var(--muted); font-size: 14px; margin: 0; }
.subtitle { color: var(--muted); margin: 2px 0 0; }
.num, td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, monospace; font-size: 12px; }
nav.toc { margin: 14px 0 0; font-size: 13px; display: flex; flex-wrap: wrap; gap: 4px 16px; }
nav.toc a { color: var(--muted); text-decoration: none; border-bottom: 1px dotted var(--faint); }
header.report { border-bottom: 1px solid var(--rule); padding-bottom: 14px; }
.badge { display: inline-block; font-size: 12px; font-weight: 700; letter-spacing: 0.05em; padding: 2px 8px;
  border-radius: 3px; vertical-align: middle; margin-left: 8px; }
.badge.partial { background: var(--accent); color: #fff; }
.badge.complete { background: #e7f4ec; color: var(--ok); }

.banner { border: 2px solid var(--accent); background: var(--accent-bg); color: #5c120d; padding: 12px 16px;
  margin: 18px 0 4px; border-radius: 4px; }
.banner strong { color: var(--accent); font-size: 15px; }
.banner ul { margin: 6px 0 0; padding-left: 20px; }
.note { border-left: 3px solid var(--faint); background: var(--band); padding: 8px 12px; margin: 10px 0; font-size: 13px; }
.note.warn { border-left-color: #d4a017; background: var(--warn-bg); color: #4d3600; }

.headline { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin: 18px 0 8px; }
.card { border: 1px solid var(--rule); border-radius: 6px; padding: 12px 14px; background: #fff; }
.card .label { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
.card .value { font-size: 26px; font-weight: 650; line-height: 1.25; margin-top: 2px; font-variant-numeric: tabular-nums; }
.card .sub { font-size: 12px; color: var(--muted); }
.card.primary { grid-column: span 2; grid-row: span 2; border-color: var(--accent); background: var(--accent-bg); }
.card.primary .value { font-size: 56px; color: var(--accent); margin-top: 6px; }
.card.primary .sub { font-size: 13px; color: #5c120d; }
.share-bar { height: 14px; background: #f5d5d0; border-radius: 2px; margin: 18px 0 4px; overflow: hidden; }
.share-bar span { display: block; height: 100%; background: var(--accent); }
.share-legend { display: flex; justify-content: space-between; font-size: 12px; color: #5c120d; }
.card.alert { border-color: var(--accent); }
.card.alert .value { color: var(--accent); }
.findings { font-size: 15px; max-width: 90ch; margin-top: 14px; }

table { border-collapse: collapse; width: 100%; margin: 8px 0 4px; font-size: 13px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--rule); vertical-align: top; text-align: left; }
thead th { font-size: 11.5px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: 0.03em;
  border-bottom: 1.5px solid var(--ink); vertical-align: bottom; }
tbody tr:nth-child(even) td { background: #fafbfc; }
tfoot td { font-weight: 650; border-top: 1.5px solid var(--ink); border-bottom: none; }
td .sub { display: block; color: var(--muted); font-size: 11.5px; }
td.err { color: var(--accent); }
.bar { display: inline-block; height: 9px; background: var(--accent); border-radius: 1px; vertical-align: middle; margin-right: 6px; }
.bar-cell { min-width: 170px; white-space: nowrap; }
thead th.num { white-space: normal; }
td { overflow-wrap: break-word; }
td.num, td.nowrap { overflow-wrap: normal; }
.pair-cell .end { display: block; }
.pair-cell .end + .end { margin-top: 3px; }
.via-cell { min-width: 200px; }
.via-line { display: block; white-space: nowrap; }
.via-pct { display: inline-block; min-width: 46px; text-align: right; margin-right: 6px; color: var(--muted); font-variant-numeric: tabular-nums; }
.flag { color: var(--accent); font-weight: 600; }
.nowrap { white-space: nowrap; }
.warn-text { color: var(--warn); }
.net-cell { min-width: 230px; }
.caption { font-size: 12px; color: var(--muted); margin: 4px 0 12px; }

table.matrix { width: auto; }
table.matrix td, table.matrix th { text-align: right; min-width: 84px; border: 1px solid #fff; }
table.matrix th.rowh { text-align: left; }
table.matrix td .hp { display: block; font-size: 11px; font-weight: 600; }
table.matrix tbody tr:nth-child(even) td { background: inherit; }
.scroll { overflow-x: auto; }

figure { margin: 14px 0 20px; }
figcaption { display: flex; justify-content: space-between; align-items: baseline; gap: 12px; margin-bottom: 4px; }
.fig-title { font-weight: 650; font-size: 14px; }
.fig-meta { font-size: 12px; color: var(--muted); }
svg.chart { width: 100%; height: auto; display: block; font-family: inherit; }
svg.heatmap { max-width: 1060px; }
svg text { fill: var(--ink); font-size: 12px; }
svg .tick, svg .legend, svg .legend text { fill: var(--muted); font-size: 11px; }
svg .axis-title { fill: var(--muted); font-size: 11.5px; }
svg .row-label, svg .col-label { font-size: 11.5px; }
svg .cell-value { font-size: 11px; font-weight: 600; }
svg .cell-value.small { font-size: 9.5px; }
svg .grid, svg .grid-x { stroke: #eceef1; stroke-width: 1; }
svg .axis { stroke: #9aa1ab; stroke-width: 1; }
svg .series { fill: none; stroke-width: 1.4; stroke-linejoin: round; }
svg .series.s-in { stroke: var(--in); }
svg .series.s-out { stroke: var(--out); }
svg .p95 { stroke-width: 1.3; stroke-dasharray: 6 4; }
svg .p95.s-in { stroke: var(--in); }
svg .p95.s-out { stroke: var(--out); }
svg .p95-label { font-size: 11.5px; font-weight: 600; }
svg .p95-label.s-in { fill: var(--in); }
svg .p95-label.s-out { fill: var(--out); }
svg .band { fill: #f6f7f9; }
svg .range { stroke: #f3b8a8; stroke-width: 5; stroke-linecap: round; }
svg .q50 { fill: var(--accent); }
svg .q90 { fill: #e0643c; }
svg .q99 { fill: #fff; stroke: var(--accent); stroke-width: 1.6; }
svg .hs { fill: #3f4a5a; }
svg .floor { stroke: var(--ok); stroke-width: 1.5; stroke-dasharray: 4 3; }
svg .floor-label { fill: var(--ok); font-size: 11px; font-weight: 600; }
.legend-keys { font-size: 12px; color: var(--muted); display: flex; gap: 18px; margin: 2px 0 6px; }
.key { display: inline-block; width: 18px; height: 3px; vertical-align: middle; margin-right: 6px; }
.key.in { background: var(--in); } .key.out { background: var(--out); } .key.unknown { background: var(--faint); }
svg.size-mix { display: inline-block; vertical-align: middle; }
.size-shares { font-size: 11px; color: var(--muted); margin-left: 6px; white-space: nowrap; }
svg .size-bar { fill: #7d8794; }
.key.dash { background: repeating-linear-gradient(90deg, var(--ink) 0 5px, transparent 5px 8px); }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 28px; }
.grid2 figure { margin: 8px 0 14px; }
.grid2 figcaption { display: block; }
.grid2 .fig-meta { display: block; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; font-size: 13px; margin: 6px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
footer { margin-top: 40px; padding-top: 10px; border-top: 1px solid var(--rule); color: var(--faint); font-size: 12px; }

.read-first { border: 2px solid #d4a017; background: var(--warn-bg); border-radius: 4px; padding: 4px 16px 8px; margin: 18px 0 6px; }
.read-first h2 { border-top: none; margin: 6px 0 4px; padding-top: 0; font-size: 16px; }
.read-first ul { margin: 4px 0; padding-left: 18px; font-size: 13px; }
.read-first li { margin: 3px 0; }
.read-first .code { color: var(--faint); font-size: 11px; }
.grade { display: inline-block; font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.04em;
  padding: 0 6px; border-radius: 3px; margin-right: 4px; }
.grade.g-indicative { background: #fde7c2; color: #7a4b00; }
.grade.g-moderate { background: #e4ecf9; color: #234a8a; }
.grade.g-robust { background: #e7f4ec; color: var(--ok); }
.g-text-indicative { color: var(--warn); }
.card .basis { font-size: 11.5px; color: var(--ink); margin-top: 8px; padding-top: 6px; border-top: 1px dashed var(--rule); }
.card.wide { grid-column: span 2; }
.card .per { font-size: 14px; font-weight: 500; color: var(--muted); }
.badge.none { background: var(--band); color: var(--muted); }
.evidence { border-left: 3px solid var(--in); padding: 2px 0 2px 12px; margin: 12px 0; break-inside: avoid; page-break-inside: avoid; }
.evidence.unavailable { border-left-color: var(--faint); }
.evidence h3 { margin-top: 4px; }
table.rests-on { width: auto; margin: 0; font-size: 12px; }
table.rests-on td { padding: 1px 8px 1px 0; border: none; }
svg.heatmap { overflow: visible; }
svg .p95-bar { fill: #7fa4e0; }
svg .max-mark { stroke: var(--ink); stroke-width: 1.5; }
svg .bar-value { font-size: 10.5px; font-weight: 600; }
table.period-table td .sub { display: inline; margin-left: 6px; }

@media (max-width: 860px) {
  main { padding: 18px; }
  .headline { grid-template-columns: repeat(2, 1fr); }
  .grid2 { grid-template-columns: 1fr; }
}
@media print {
  @page { size: A4; margin: 14mm 12mm 16mm; }
  body { font-size: 9.5pt; }
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; margin-top: 18pt; }
  h3, h4, figcaption { break-after: avoid; page-break-after: avoid; }
  figure, .card, .banner, tr, .note { break-inside: avoid; page-break-inside: avoid; }
  .headline { grid-template-columns: repeat(4, 1fr); gap: 6pt; }
  .card.primary .value { font-size: 40pt; }
  .read-first { break-inside: avoid; page-break-inside: avoid; }
  .card .basis { font-size: 8pt; }
  .card .value { font-size: 17pt; }
  table { font-size: 8.5pt; }
  .scroll { overflow: visible; }
  a { color: inherit; text-decoration: none; }
  section.page-break { break-before: page; page-break-before: always; }
}
"#;

/// Extra print rule for partial results: every printed page carries the warning.
pub const PARTIAL_PRINT_CSS: &str = r#"
@media print {
  @page { @top-center { content: "PARTIAL RESULT — some captures were not read to the end"; color: #b42318; font: 700 9pt sans-serif; } }
}
"#;

/**
 * The dashboard's only stylesheet, served from `/assets/dashboard.css` so the Content-Security-Policy can
 * forbid inline styles and every script. Levels use a colour scale that keeps AA contrast with its text;
 * colour never carries meaning alone (each cell also says its level and trend in words for screen readers).
 */
export const DASHBOARD_CSS = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad; --bg: #ffffff; --panel: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible { outline: 3px solid #e36209; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: 0; background: #fff; padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: 1rem; }
header.top { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between; padding: .75rem 1.5rem; border-bottom: 1px solid var(--line); background: var(--panel); }
header.top .brand { font-weight: 700; color: var(--ink); text-decoration: none; }
header.top nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; flex-wrap: wrap; }
header.top nav a[aria-current="page"] { font-weight: 700; text-decoration: none; color: var(--ink); }
.who { display: flex; gap: .75rem; align-items: center; color: var(--muted); }
main { padding: 1.5rem; max-width: 1400px; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; margin: 1.75rem 0 .5rem; }
p.lede { color: var(--muted); margin-top: 0; }
button, .button { white-space: nowrap; font: inherit; padding: .4rem .9rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 6px; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button.danger { background: #a40e26; border-color: #a40e26; }
form.inline { display: inline; }
form.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; padding: .75rem; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; margin: 1rem 0; }
form.filters label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); gap: .2rem; }
input, select { font: inherit; padding: .3rem .5rem; border: 1px solid #8c959f; border-radius: 6px; background: #fff; color: var(--ink); }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border: 1px solid var(--line); padding: .35rem .6rem; text-align: left; vertical-align: top; }
thead th { background: var(--panel); position: sticky; top: 0; }
.table-wrap { overflow-x: auto; max-width: 100%; }
td.cell { text-align: center; min-width: 5.5rem; font-variant-numeric: tabular-nums; }
td.level-1 { background: #fde2e1; } td.level-2 { background: #fff1c2; } td.level-3 { background: #d7ecff; } td.level-4 { background: #b6e3c6; } td.level-5 { background: #8fd3a8; }
td.hidden, td.not-asked { background: repeating-linear-gradient(45deg, #f6f8fa, #f6f8fa 6px, #eef1f4 6px, #eef1f4 12px); color: var(--muted); font-size: .85rem; }
.trend-up { color: #116329; } .trend-down { color: #a40e26; } .trend-steady { color: var(--muted); }
.muted { color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 1rem; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 1rem; background: #fff; }
.card h3 { margin: 0 0 .25rem; font-size: 1.05rem; }
.figure { font-size: 1.8rem; font-weight: 700; margin: .25rem 0; }
.figure .muted { display: block; font-size: 1rem; font-weight: 400; }
.notice { padding: .75rem 1rem; border-left: 4px solid var(--accent); background: #eef6ff; margin: 1rem 0; }
.notice.warn { border-color: #bf8700; background: #fff8c5; }
.exports { display: flex; gap: .75rem; margin: .5rem 0; }
.people { list-style: none; padding: 0; display: grid; gap: .75rem; max-width: 40rem; }
.people li form { display: flex; justify-content: space-between; align-items: center; gap: 1rem; border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; }
ul.links li { margin: .4rem 0; }
ul.links a { display: inline-block; min-height: 24px; padding: .1rem 0; }
svg.chart { max-width: 100%; height: auto; }
.target { margin: .25rem 0; }
ul.suggestions li { margin: .5rem 0; }
form.stack { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: .35rem 0; }
form.stack label, form.row label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); gap: .2rem; }
form.row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; }
details.form { margin: .5rem 0; }
details.form summary { cursor: pointer; color: var(--accent); }
td.actions { white-space: nowrap; }
td.actions form + form { margin-left: .35rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

import type { Severity } from '../policies/policy';
import { inert, MAX_MESSAGE, MAX_UNTRUSTED } from '../policies/untrusted-text';
import {
  type BucketRow,
  type BucketRows,
  bucketReport,
  type Report,
  verdictText,
  violatingText,
  worstFirst,
} from './report-rows';
import {
  GROUP_LABELS,
  type GroupBy,
  type GroupRow,
  groupRows,
  SEVERITY_COLUMNS,
} from './report-summary';
import { type Summary, totalsLines } from './report-totals';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Untrusted text for HTML: made inert (no control, bidi or zero-width
 * characters; cut to `max`), then every character that could open a tag, an
 * entity or leave an attribute value escaped. Safe in element content and in
 * quoted attribute values.
 */
export function htmlText(value: string, max: number = MAX_UNTRUSTED): string {
  return inert(value, max).replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/**
 * What the page may load: nothing. Styles are inline, there are no scripts,
 * images, fonts or frames, so a tag value that got past escaping still could
 * not reach the network.
 */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'";

/** Shown where a bucket has no team: every finding of it was ignored, so none was judged. */
const NO_TEAM = 'No team (findings ignored)';

const STYLE = `
*{box-sizing:border-box}
body{margin:0 auto;max-width:78rem;padding:1.5rem;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;background:#fff}
h1{font-size:1.6rem;margin:0 0 .75rem}
h2{font-size:1.25rem;margin:2rem 0 .25rem;overflow-wrap:anywhere}
p{margin:.25rem 0}
.totals p:first-child{font-weight:600}
.muted{color:#59636e}
table{width:100%;table-layout:fixed;border-collapse:collapse;margin:.5rem 0 1rem}
th,td{padding:.4rem .5rem;border-bottom:1px solid #d0d7de;text-align:left;vertical-align:top;overflow-wrap:anywhere;word-break:break-word}
th{background:#f6f8fa;font-weight:600}
.n{text-align:right;font-variant-numeric:tabular-nums}
col.bucket{width:21%}col.account{width:11%}col.declared{width:10%}col.verdict{width:11%}
col.severity{width:8%}col.findings{width:9%}col.types{width:30%}
col.group{width:34%}col.count{width:11%}
.sev{display:inline-block;padding:0 .45rem;border-radius:.6rem;font-size:.85em;font-weight:600}
.critical{background:#82071e;color:#fff}.high{background:#cf222e;color:#fff}
.medium{background:#d4a72c;color:#1f2328}.low{background:#54aeff;color:#1f2328}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;padding:0;margin:.5rem 0}
.swatch{display:inline-block;width:.9rem;height:.9rem;margin-right:.35rem;vertical-align:-.1rem;border-radius:.15rem}
.chart-row{display:grid;grid-template-columns:minmax(0,16rem) minmax(0,1fr) 4rem;gap:.75rem;align-items:center;margin:.3rem 0}
.chart-team{overflow-wrap:anywhere}
.bar{display:flex;height:1.4rem;background:#f6f8fa;border-radius:.2rem;overflow:hidden}
.bar span{display:block;height:100%;font-size:.8rem;line-height:1.4rem;text-align:center;overflow:hidden;white-space:nowrap}
`;

/**
 * One self-contained page: the totals, a chart of violations by team and
 * severity, then a table of buckets per team (or, with `groupBy`, one table of
 * teams, accounts or buckets). Nothing is loaded from anywhere; long names wrap,
 * so the page fits the width of the window.
 */
export function htmlReport(write: (text: string) => void, groupBy?: GroupBy): Report {
  return bucketReport((rows, summary) => {
    const teams = groupRows(rows.values(), 'team');
    write(head());
    write(totalsSection(summary));
    if (rows.size === 0) {
      write('<p class="muted">No findings to show.</p>\n');
    } else {
      write(chart(teams));
      if (groupBy) write(summaryTable(rows, groupBy));
      else {
        const byTeam = bucketsByTeam(rows);
        for (const team of teams) write(teamSection(team, byTeam.get(team.group) ?? []));
      }
    }
    write('</body>\n</html>\n');
  });
}

function head(): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bucket classification report</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Bucket classification report</h1>
`;
}

function totalsSection(summary: Summary): string {
  const lines = totalsLines(summary).map((line) => `<p>${htmlText(line, MAX_MESSAGE)}</p>`);
  return `<section class="totals">\n${lines.join('\n')}\n</section>\n`;
}

function severityClass(severity: Severity): string {
  return severity.toLowerCase();
}

function totalOf(team: GroupRow): number {
  return SEVERITY_COLUMNS.reduce((sum, severity) => sum + team.violations[severity], 0);
}

/** Stacked bars, one per team, scaled to the team with the most violations. */
function chart(teams: readonly GroupRow[]): string {
  const most = Math.max(1, ...teams.map(totalOf));
  const legend = SEVERITY_COLUMNS.map(
    (severity) => `<li><span class="swatch ${severityClass(severity)}"></span>${severity}</li>`,
  ).join('');
  const bars = teams.map((team) => {
    const segments = SEVERITY_COLUMNS.filter((severity) => team.violations[severity] > 0).map(
      (severity) => {
        const count = team.violations[severity];
        const width = ((count / most) * 100).toFixed(2);
        return `<span class="${severityClass(severity)}" style="width:${width}%" title="${severity}: ${count}">${count}</span>`;
      },
    );
    const name = team.group === null ? NO_TEAM : htmlText(team.group);
    return `<div class="chart-row"><div class="chart-team">${name}</div><div class="bar">${segments.join('')}</div><div class="n">${totalOf(team)}</div></div>`;
  });
  return `<section class="chart">
<h2>Violations by team and severity</h2>
<p class="muted">Findings that are violations, samples not counted.</p>
<ul class="legend">${legend}</ul>
${bars.join('\n')}
</section>
`;
}

function severityBadge(severity: Severity | null): string {
  return severity === null
    ? '-'
    : `<span class="sev ${severityClass(severity)}">${severity}</span>`;
}

function bucketsByTeam(rows: BucketRows): Map<string | null, BucketRow[]> {
  const byTeam = new Map<string | null, BucketRow[]>();
  for (const row of rows.values()) {
    const buckets = byTeam.get(row.team);
    if (buckets) buckets.push(row);
    else byTeam.set(row.team, [row]);
  }
  return byTeam;
}

function teamSection(team: GroupRow, rows: readonly BucketRow[]): string {
  const buckets = worstFirst(rows);
  const counts = SEVERITY_COLUMNS.filter((severity) => team.violations[severity] > 0)
    .map((severity) => `${team.violations[severity]} ${severity}`)
    .join(', ');
  const facts = [
    `${team.buckets} bucket${team.buckets === 1 ? '' : 's'}`,
    counts ? `violations: ${counts}` : 'no violations',
    `${team.unclassifiedBuckets} unclassified`,
  ];
  const name = team.group === null ? NO_TEAM : `Team ${htmlText(team.group)}`;
  return `<section class="team">
<h2>${name}</h2>
<p class="muted">${facts.join('; ')}</p>
<table>
<colgroup><col class="bucket"><col class="account"><col class="declared"><col class="verdict"><col class="severity"><col class="findings"><col class="types"></colgroup>
<thead><tr><th>Bucket</th><th>Account</th><th>Declared</th><th>Verdict</th><th>Severity</th><th class="n">Findings</th><th>Violating types</th></tr></thead>
<tbody>
${buckets.map(bucketRow).join('\n')}
</tbody>
</table>
</section>
`;
}

function bucketRow(row: BucketRow): string {
  const cells = [
    htmlText(row.bucket),
    htmlText(row.accountId),
    htmlText(row.declaredLevel ?? '-'),
    verdictText(row),
    severityBadge(row.worst.severity),
  ];
  return `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}<td class="n">${row.findings}</td><td>${htmlText(violatingText(row), MAX_MESSAGE)}</td></tr>`;
}

function summaryTable(rows: BucketRows, groupBy: GroupBy): string {
  const { heading } = GROUP_LABELS[groupBy];
  const groups = groupRows(rows.values(), groupBy).map((group) => {
    const name = group.group === null ? NO_TEAM : htmlText(group.group);
    const counts = [
      group.buckets,
      ...SEVERITY_COLUMNS.map((severity) => group.violations[severity]),
      group.unclassifiedBuckets,
    ];
    return `<tr><td>${name}</td>${counts.map((count) => `<td class="n">${count}</td>`).join('')}</tr>`;
  });
  const countColumns = '<col class="count">'.repeat(SEVERITY_COLUMNS.length + 2);
  const countHeadings = ['Buckets', ...SEVERITY_COLUMNS, 'Unclassified buckets']
    .map((text) => `<th class="n">${text}</th>`)
    .join('');
  return `<section class="summary">
<h2>By ${heading.toLowerCase()}</h2>
<table>
<colgroup><col class="group">${countColumns}</colgroup>
<thead><tr><th>${heading}</th>${countHeadings}</tr></thead>
<tbody>
${groups.join('\n')}
</tbody>
</table>
</section>
`;
}

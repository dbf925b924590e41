namespace LossLandscape.Reporting.Documents;

/// <summary>
/// The style sheet of report.html: a single readable column on screen, clean pages in print. Verdict colours
/// are restrained and always accompany the word (green reproduced, amber partly, red not reproduced, dark failed).
/// </summary>
static class HtmlReportStyles
{
    public const string Css = """

        :root {
          color-scheme: light;
          --text: #1f2328; --muted: #59636e; --rule: #d1d9e0; --rule-light: #e8ecf0; --panel: #f6f8fa;
          --accent: #0b5cad;
          --ok-bg: #dcf3e3; --ok-fg: #14532d; --ok-line: #8fcea3;
          --part-bg: #fdf0cf; --part-fg: #6b4a00; --part-line: #e2bd5c;
          --bad-bg: #fbe1de; --bad-fg: #8f1d14; --bad-line: #ec9d94;
          --fail-bg: #3b424c; --fail-fg: #ffffff;
          --mono: ui-monospace, "SFMono-Regular", "Cascadia Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace;
        }
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; }
        body {
          margin: 0; background: #fff; color: var(--text);
          font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", "DejaVu Sans", Arial, sans-serif;
          font-size: 16px; line-height: 1.55;
        }
        main { max-width: 1100px; margin: 0 auto; padding: 2.5rem 1.75rem 4rem; }
        h1, h2, h3 { line-height: 1.25; font-weight: 650; letter-spacing: -0.01em; }
        h1 { font-size: 2rem; margin: 0 0 1.25rem; }
        h2 { font-size: 1.5rem; margin: 0 0 0.5rem; }
        h3 { font-size: 1.05rem; margin: 1.75rem 0 0.6rem; }
        p { margin: 0 0 0.9rem; }
        a { color: var(--accent); text-decoration: none; }
        a:hover { text-decoration: underline; }
        code, pre { font-family: var(--mono); font-size: 0.875em; }

        .report-header { border-bottom: 1px solid var(--rule); padding-bottom: 1.25rem; margin-bottom: 2rem; }
        .lead { font-size: 1.05rem; max-width: 48rem; }
        .facts { display: grid; gap: 0.35rem 1.5rem; margin: 0 0 1.25rem; padding: 0; }
        .facts > div { display: flex; gap: 0.6rem; min-width: 0; }
        .facts dt { color: var(--muted); white-space: nowrap; }
        .facts dt::after { content: ":"; }
        .facts dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
        .about { grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); background: var(--panel); border: 1px solid var(--rule-light); border-radius: 6px; padding: 0.9rem 1.1rem; font-size: 0.92rem; }
        .settings { grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); font-size: 0.9rem; }

        .overview { margin-bottom: 1rem; }
        .tally { color: var(--muted); }
        .verdict-legend { border-left: 3px solid var(--rule); padding: 0.1rem 0 0.1rem 1rem; margin: 0 0 1.25rem; font-size: 0.93rem; }
        .verdict-legend h3 { margin: 0.25rem 0 0.35rem; font-size: 0.95rem; }
        .verdict-legend p { margin: 0; }

        .table-wrap { overflow-x: auto; margin: 0 0 1.25rem; }
        table { border-collapse: collapse; width: 100%; font-size: 0.92rem; font-variant-numeric: tabular-nums; }
        caption { caption-side: top; text-align: left; color: var(--muted); font-size: 0.9rem; padding: 0 0 0.45rem; }
        th, td { text-align: left; vertical-align: top; padding: 0.45rem 0.7rem; border-bottom: 1px solid var(--rule-light); }
        thead th { font-weight: 600; color: var(--muted); border-bottom: 2px solid var(--rule); white-space: nowrap; font-size: 0.85rem; text-transform: uppercase; letter-spacing: 0.03em; }
        tbody th { font-weight: 500; }
        td.num, th.num { text-align: right; white-space: nowrap; }
        table.data { width: auto; }
        table.data td, table.data th { white-space: nowrap; }
        td.verdict { white-space: nowrap; }
        td.evidence { color: var(--muted); }
        td.muted { color: var(--muted); font-style: italic; }
        table.summary tbody th { width: 24%; }
        table.summary tr.group-start > * { border-top: 1px solid var(--rule); }
        table.claims td:first-child { width: 50%; }

        .badge {
          display: inline-block; padding: 0.05rem 0.55rem; border-radius: 999px; border: 1px solid transparent;
          font-size: 0.8rem; font-weight: 600; line-height: 1.5; white-space: nowrap; vertical-align: 0.05em;
          -webkit-print-color-adjust: exact; print-color-adjust: exact;
        }
        .badge-reproduced { background: var(--ok-bg); color: var(--ok-fg); border-color: var(--ok-line); }
        .badge-partly { background: var(--part-bg); color: var(--part-fg); border-color: var(--part-line); }
        .badge-not-reproduced { background: var(--bad-bg); color: var(--bad-fg); border-color: var(--bad-line); }
        .badge-failed { background: var(--fail-bg); color: var(--fail-fg); }
        .badge-not-run, .badge-other { background: var(--panel); color: var(--muted); border-color: var(--rule); }
        .badge-completed { background: #fff; color: var(--muted); border-color: var(--rule); }

        section.experiment { border-top: 1px solid var(--rule); padding-top: 2rem; margin-top: 2.75rem; }
        section.experiment h2 .number { color: var(--muted); font-weight: 500; }
        .meta { color: var(--muted); font-size: 0.9rem; display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem 0.9rem; }
        .meta .back { margin-left: auto; }
        .failure {
          border: 1px solid #c9ced6; border-left: 4px solid var(--fail-bg); background: #f1f3f5; border-radius: 4px;
          padding: 0.7rem 1rem; margin: 0 0 1.25rem; -webkit-print-color-adjust: exact; print-color-adjust: exact;
        }
        .failure code { overflow-wrap: anywhere; }
        .not-run { color: var(--muted); font-style: italic; margin: 0 0 1.25rem; }
        blockquote.talk { margin: 1rem 0 1.25rem; padding: 0.2rem 0 0.2rem 1.1rem; border-left: 3px solid var(--accent); color: #2d333b; }
        blockquote.talk .label { font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); margin-bottom: 0.3rem; }
        blockquote.talk p:last-child { margin-bottom: 0; }

        figure { margin: 1.5rem 0; text-align: center; }
        figure img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
        figcaption { font-size: 0.9rem; color: var(--muted); margin: 0.55rem auto 0; max-width: 46rem; text-align: left; }
        .label { font-weight: 600; color: var(--text); }
        .figure-missing {
          display: flex; align-items: center; justify-content: center; min-height: 10rem; max-width: 40rem; margin: 0 auto;
          border: 2px dashed var(--bad-line); background: #fdf6f5; color: var(--bad-fg); font-family: var(--mono); font-size: 0.9rem; padding: 1rem;
          overflow-wrap: anywhere;
        }
        pre.commands { background: var(--panel); border: 1px solid var(--rule-light); border-radius: 6px; padding: 0.8rem 1rem; overflow-x: auto; line-height: 1.5; margin: 0 0 1.25rem; }
        ul.notes { padding-left: 1.3rem; }
        ul.notes li { margin-bottom: 0.35rem; }

        @media (max-width: 640px) {
          main { padding: 1.5rem 1rem 3rem; }
          h1 { font-size: 1.6rem; }
          .meta .back { margin-left: 0; }
        }

        @media print {
          @page { margin: 16mm 14mm; }
          body { font-size: 10pt; }
          main { max-width: none; padding: 0; }
          a { color: inherit; }
          .meta .back { display: none; }
          section.experiment { break-before: page; border-top: none; margin-top: 0; padding-top: 0; }
          h1, h2, h3, caption { break-after: avoid; }
          figure, table.claims, .failure, .verdict-legend, pre.commands, tr { break-inside: avoid; }
          figure img { max-height: 60vh; width: auto; }
          .table-wrap { overflow: visible; }
          table.data td, table.data th { white-space: normal; }
          pre.commands { white-space: pre-wrap; overflow-wrap: anywhere; }
          .about, pre.commands, .figure-missing { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        }

        """;
}

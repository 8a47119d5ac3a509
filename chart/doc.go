// Package chart renders the SVG charts of kaiwu's dashboard and reports:
// pure functions from data to SVG bytes, deterministic (the same input
// gives the same bytes) and readable without JavaScript.
//
// The chart types are [Line] (multi-series, numeric, log or month x axis,
// markers, shaded regions, zero line), [Donut] (a whole split into parts
// with an "other" group), [RangeBars] (a valuation football field),
// [Bars] (grouped or stacked) and [Waterfall] (one bar split into
// labelled segments). None returns an error: empty, NaN, infinite or
// otherwise unplottable data is skipped, and a chart with nothing left
// shows a "no data" placeholder.
//
// Every chart is an <svg role="img"> with a <title> and a <desc> holding a
// text summary of the data, referenced by aria-labelledby; each mark
// carries a <title> that browsers show on hover. All user text is
// XML-escaped. The SVG has a fixed viewBox and width="100%" so it scales
// with its container. Colours come from the Okabe–Ito colour-blind-safe
// palette and lines also differ by dash pattern; text, axes and grid use
// currentColor, so a page themes the charts (light or dark) by setting
// color. Styling is by presentation attributes, never inline style, so the
// charts work under a strict Content-Security-Policy, and class names
// (kw-chart, kw-line, kw-series kw-s0, kw-marker, kw-alert, kw-grid, …)
// let CSS override them.
//
// [Format], [FormatDecimal] and [FormatAmount] write the numbers the charts
// use — 万/亿 for Chinese, K/M/B for English, ¥ and $ — and are exported
// for the web and report packages to label tables the same way.
// [NiceTicks] and [LogTicks] choose axis ticks.
package chart

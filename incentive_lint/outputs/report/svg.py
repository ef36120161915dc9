"""Inline SVG charts of the report: the flow of pay, the gaps behind D, a threshold gauge.

Geometry only; every label goes through :func:`.markup.el`, which escapes it.
"""
from __future__ import annotations

from typing import Sequence

from incentive_lint.outputs.report import fmt
from incentive_lint.outputs.report.data import Bucket, Report
from incentive_lint.outputs.report.markup import Child, Safe, el

#: Priorities in order; colour-blind-safe enough to tell apart, dark enough to print.
PALETTE = ("#1f5f99", "#2a9d8f", "#7b5ea7", "#4f8fc0", "#5c9e5a", "#b07aa1", "#3d6b73", "#8c6d31")
LEGACY_COLOUR = "#c8553d"
UNALIGNED_COLOUR = "#8d96a0"
FONT = 12.5


def bucket_colours(buckets: Sequence[Bucket]) -> dict[str, str]:
    out, i = {}, 0
    for b in buckets:
        if b.kind == "legacy":
            out[b.key] = LEGACY_COLOUR
        elif b.kind == "unaligned":
            out[b.key] = UNALIGNED_COLOUR
        else:
            out[b.key] = PALETTE[i % len(PALETTE)]
            i += 1
    return out


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _text(x: float, y: float, content: Child, **kw: object) -> Safe:
    attributes: dict[str, object] = {"x": x, "y": y, "font-size": FONT, "fill": "#1b2430"}
    attributes.update({k.replace("_", "-"): v for k, v in kw.items()})
    return el("text", attributes, content)


def _stack(values: Sequence[float], scale: float, gap: float, top: float) -> list[tuple[float, float]]:
    """(y, height) of stacked nodes with a gap between them."""
    out, y = [], top
    for v in values:
        h = max(v * scale, 0.0)
        out.append((y, h))
        y += h + gap
    return out


def flow_chart(report: Report, colours: dict[str, str]) -> Safe:
    """Sankey-like bands from pay by function to the priorities, each beside its strategy weight.

    Every column on the right gets a slot as tall as the larger of its share of pay and its
    weight, so the pay bar (solid) and the weight (dashed outline) start level and read side by side.
    """
    total = report.total_pay
    buckets = list(report.buckets)
    width, top = 1180.0, 40.0
    if total <= 0 or not report.sources:
        return el("svg", {"xmlns": "http://www.w3.org/2000/svg", "viewBox": "0 0 1180 60", "width": 1180,
                          "height": 60, "role": "img", "aria-label": "No target variable pay in force"},
                  _text(0, 30, "No target variable pay is in force.", fill="#5a6472"))
    gap_left, gap_right, usable = 22.0, 46.0, 600.0
    slots = [max(report.share(b.key), b.weight or 0.0) for b in buckets]
    # one scale for fractions of pay and weights: px pixels stand for 100%
    px = min((usable - gap_right * (len(buckets) - 1)) / max(sum(slots), 1e-9),
             (usable - gap_left * (len(report.sources) - 1)) / 1.0)
    left_x, bar_w, right_x, weight_x, label_x = 250.0, 16.0, 740.0, 762.0, 800.0

    right_stack = _stack(slots, px, gap_right, top)
    right_height = right_stack[-1][0] + right_stack[-1][1] - top
    left_height = px + gap_left * (len(report.sources) - 1)
    left_top = top + max(0.0, (right_height - left_height) / 2)
    left = _stack([s.amount / total for s in report.sources], px, gap_left, left_top)
    slot_y = [y for y, _ in right_stack]

    parts: list[Safe] = []
    header = {"font-size": 11, "fill": "#5a6472", "font-weight": "600", "letter-spacing": "0.06em"}
    parts.append(el("text", {"x": left_x + bar_w, "y": 14, "text-anchor": "end", **header}, "PAY BY FUNCTION"))
    parts.append(el("text", {"x": label_x, "y": 14, **header}, "WHERE IT POINTS"))
    parts.append(el("rect", {"x": label_x + 130, "y": 5, "width": 10, "height": 10, "fill": "#5a6472"}))
    parts.append(_text(label_x + 144, 14, "share of pay", fill="#5a6472", font_size=11))
    parts.append(el("rect", {"x": label_x + 226, "y": 5.5, "width": 9, "height": 9, "fill": "none",
                             "stroke": "#5a6472", "stroke-width": 1.5, "stroke-dasharray": "3 2"}))
    parts.append(_text(label_x + 240, 14, "strategy weight", fill="#5a6472", font_size=11))

    # bands: within a source in bucket order, within a bucket in source order
    source_ids = [s.id for s in report.sources]
    order = {b.key: i for i, b in enumerate(buckets)}
    source_y = {s.id: left[i][0] for i, s in enumerate(report.sources)}
    bucket_y = {b.key: slot_y[i] for i, b in enumerate(buckets)}
    source_offset = {s.id: 0.0 for s in report.sources}
    bucket_offset = {b.key: 0.0 for b in buckets}
    starts = {}
    for f in sorted(report.flows, key=lambda f: (source_ids.index(f.source), order.get(f.bucket, 99))):
        starts[(f.source, f.bucket)] = source_y[f.source] + source_offset[f.source]
        source_offset[f.source] += f.amount / total * px
    x0, x1 = left_x + bar_w, right_x
    xm = (x0 + x1) / 2
    bands = []
    for f in sorted(report.flows, key=lambda f: (order.get(f.bucket, 99), source_ids.index(f.source))):
        t = f.amount / total * px
        y0 = starts[(f.source, f.bucket)]
        y1 = bucket_y.get(f.bucket, top) + bucket_offset.get(f.bucket, 0.0)
        bucket_offset[f.bucket] = bucket_offset.get(f.bucket, 0.0) + t
        d = (f"M{x0:.2f},{y0:.2f} C{xm:.2f},{y0:.2f} {xm:.2f},{y1:.2f} {x1:.2f},{y1:.2f} "
             f"L{x1:.2f},{y1 + t:.2f} C{xm:.2f},{y1 + t:.2f} {xm:.2f},{y0 + t:.2f} {x0:.2f},{y0 + t:.2f} Z")
        source_label = next(s.label for s in report.sources if s.id == f.source)
        bands.append(el("path", {"d": d, "fill": colours.get(f.bucket, UNALIGNED_COLOUR), "fill-opacity": 0.42,
                                 "class": "band", "data-source": f.source, "data-bucket": f.bucket},
                        el("title", {}, f"{source_label} → {report.label(f.bucket)}: {report.money(f.amount)}")))
    parts.append(el("g", {"class": "bands"}, bands))

    # left nodes and labels
    for (y, h), s in zip(left, report.sources):
        parts.append(el("rect", {"x": left_x, "y": y, "width": bar_w, "height": max(h, 1.5), "fill": "#13283f"}))
        mid = y + h / 2
        parts.append(_text(left_x - 10, mid - 2, s.label, text_anchor="end", font_weight="600"))
        parts.append(_text(left_x - 10, mid + 14, f"{report.money(s.amount)} · {fmt.pct(s.amount / total)}",
                           text_anchor="end", fill="#5a6472", font_size=11.5))

    # right: pay bar and weight outline side by side in each slot, then the label
    for i, b in enumerate(buckets):
        colour = colours.get(b.key, UNALIGNED_COLOUR)
        y = slot_y[i]
        q = report.share(b.key)
        weight = b.weight or 0.0
        ph, wh = q * px, weight * px
        parts.append(el("rect", {"x": right_x, "y": y, "width": bar_w, "height": max(ph, 1.5), "fill": colour},
                        el("title", {}, f"{report.label(b.key)}: {fmt.pct(q)} of pay")))
        if b.kind == "priority":
            parts.append(el("rect", {"x": weight_x + 1, "y": y + 1, "width": bar_w - 2, "height": max(wh - 2, 1.0),
                                     "fill": "none", "stroke": colour, "stroke-width": 2,
                                     "stroke-dasharray": "4 3", "class": "weight"},
                            el("title", {}, f"{b.label}: weight {fmt.pct(weight)}")))
        mid = y + max(ph, wh, 1.5) / 2
        delta = q - weight
        tone = "#b42318" if (b.kind != "priority" and q > 0.0005) or delta <= -0.05 else "#5a6472"
        # titles first, ids second: a committee reads "Sell guaranteed uptime", not "p-uptime"
        second = b.label if b.kind == "priority" and b.name != b.label else b.title
        parts.append(_text(label_x, mid - 9, _truncate(b.name, 48), font_weight="700"))
        parts.append(_text(label_x, mid + 5, _truncate(second, 64), fill="#5a6472", font_size=11))
        parts.append(_text(label_x, mid + 19, f"{fmt.pct(q)} of pay · weight {fmt.pct(weight)} · {fmt.points(delta)}",
                           fill=tone, font_size=11.5, font_weight="600"))
    bottom = max(max(y + max(h, 1.5) for y, h in right_stack) + 30, max(y + h for y, h in left) + 24)
    return el("svg", {"xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {width:.0f} {bottom:.0f}",
                      "width": int(width), "height": int(bottom), "role": "img", "id": "flow-chart",
                      "aria-label": "Flow of target variable pay from functions to priorities"}, parts)


def diverging_bars(report: Report, colours: dict[str, str]) -> Safe:
    """One bar per column: share of pay minus weight, left when under-paid, right when over-paid."""
    rows = [c for c in report.overall.contributors] if report.overall.score is not None else []
    width = 1180.0
    if not rows:
        return el("svg", {"xmlns": "http://www.w3.org/2000/svg", "viewBox": "0 0 1180 40", "width": 1180,
                          "height": 40, "role": "img", "aria-label": "No divergence to show"},
                  _text(0, 24, "No divergence score: no pay in force or no weighted priorities.", fill="#5a6472"))
    row_h, top = 34.0, 30.0
    axis = 640.0
    scale = 430.0  # pixels for a gap of 100 points
    order = {b.key: i for i, b in enumerate(report.buckets)}
    rows = sorted(rows, key=lambda c: order.get(c.bucket, 99))
    height = top + row_h * len(rows) + 12
    parts: list[Safe] = [
        _text(axis - 8, 16, "← less pay than weight", text_anchor="end", fill="#5a6472", font_size=11.5),
        _text(axis + 8, 16, "more pay than weight →", fill="#5a6472", font_size=11.5),
        el("line", {"x1": axis, "x2": axis, "y1": top - 6, "y2": height - 6, "stroke": "#1b2430",
                    "stroke-width": 1}),
    ]
    for i, c in enumerate(rows):
        y = top + i * row_h
        b = report.bucket(c.bucket)
        w = abs(c.gap) * scale
        x = axis - w if c.gap < 0 else axis
        ident = f" · {b.label}" if b.kind == "priority" and b.name != b.label else ""
        parts.append(_text(12, y + 14, _truncate(b.name, 40), font_weight="600"))
        parts.append(_text(12, y + 28, f"{fmt.pct(c.q)} of pay vs {fmt.pct(c.pi)} weight{ident}", fill="#5a6472",
                           font_size=11.5))
        parts.append(el("rect", {"x": x, "y": y + 6, "width": max(w, 1.0), "height": row_h - 14,
                                 "fill": colours.get(c.bucket, UNALIGNED_COLOUR), "rx": 2,
                                 "data-bucket": c.bucket},
                        el("title", {}, f"{b.label}: {fmt.points(c.gap)}")))
        label_x = x - 6 if c.gap < 0 else x + max(w, 1.0) + 6
        parts.append(_text(label_x, y + 20, fmt.points(c.gap), text_anchor="end" if c.gap < 0 else "start",
                           font_weight="600"))
    return el("svg", {"xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {width:.0f} {height:.0f}",
                      "width": int(width), "height": int(height), "role": "img", "id": "gap-chart",
                      "aria-label": "Share of pay minus strategy weight, by column"}, parts)


def gauge(score: float, warn: float, error: float) -> Safe:
    """A 0..1 track with the warning and error zones and a marker at the score."""
    w, h = 170.0, 16.0
    x = max(0.0, min(1.0, score)) * w
    return el("svg", {"xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {w:.0f} {h:.0f}", "width": int(w),
                      "height": int(h), "role": "img", "aria-label": f"D = {fmt.score(score)}",
                      "style": "display:inline-block;vertical-align:middle;margin-right:8px"},
              el("rect", {"x": 0, "y": 5, "width": warn * w, "height": 6, "fill": "#cfe8da"}),
              el("rect", {"x": warn * w, "y": 5, "width": (error - warn) * w, "height": 6, "fill": "#fbe3bd"}),
              el("rect", {"x": error * w, "y": 5, "width": (1 - error) * w, "height": 6, "fill": "#f6c9c4"}),
              el("rect", {"x": max(0.0, x - 2), "y": 0, "width": 4, "height": h, "fill": "#1b2430", "rx": 1}))

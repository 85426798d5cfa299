"""Figure checks shared by the lab tests: legends present and off the data, tick labels apart."""

import numpy as np


def _labelled(ax) -> list:
    return [lab for lab in ax.get_legend_handles_labels()[1] if not lab.startswith("_")]


def missing_legends(fig) -> list:
    """Titles of the axes with two or more labelled artists but no legend (theirs or a twin's)."""
    missing = []
    for ax in fig.axes:
        if len(_labelled(ax)) < 2 or ax.get_legend() is not None:
            continue
        twins = ax.get_shared_x_axes().get_siblings(ax)
        if not any(t.get_legend() is not None for t in twins) and not fig.legends:
            missing.append(ax.get_title() or "untitled")
    return missing


def overlapping_ticklabels(fig, gap: float = 3.0) -> list:
    """(axes title, label, label) for each pair of neighbouring x tick labels that overlap or
    come closer than ``gap`` pixels (they read as one word)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    hits = []
    for ax in fig.axes:
        labels = [t for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
        boxes = sorted(((t.get_window_extent(renderer), t.get_text()) for t in labels),
                       key=lambda b: b[0].x0)
        for (a, ta), (b, tb) in zip(boxes, boxes[1:]):
            if a.x1 + gap > b.x0 and a.y0 < b.y1 and b.y0 < a.y1:
                hits.append((ax.get_title(), ta, tb))
    return hits


def legend_cover(ax, per_segment: int = 20) -> float:
    """Share of the plotted lines of ``ax`` and its twins (in display coordinates, each segment
    sampled at ``per_segment`` points) that lies under the legend box of ``ax``."""
    fig = ax.figure
    fig.canvas.draw()
    box = ax.get_legend().get_window_extent(fig.canvas.get_renderer())
    inside = total = 0
    lines = [line for twin in ax.get_shared_x_axes().get_siblings(ax) for line in twin.get_lines()]
    for line in lines:
        xy = line.get_transform().transform(np.column_stack(line.get_data()).astype(float))
        xy = xy[np.all(np.isfinite(xy), axis=1)]
        if len(xy) > 1:  # the segments between the vertices, not only the vertices
            t = np.linspace(0, 1, per_segment, endpoint=False)[:, None, None]
            xy = (xy[:-1] + t * (xy[1:] - xy[:-1])).reshape(-1, 2)
        total += len(xy)
        inside += int(np.sum((xy[:, 0] >= box.x0) & (xy[:, 0] <= box.x1)
                             & (xy[:, 1] >= box.y0) & (xy[:, 1] <= box.y1)))
    return inside / max(total, 1)


def legend_outside(ax) -> bool:
    """Whether the legend of ``ax`` lies wholly outside its data area."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return not ax.get_legend().get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))

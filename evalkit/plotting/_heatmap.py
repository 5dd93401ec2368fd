"""One heat map for every evalkit chart that needs one (private; seaborn does the drawing)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns


def heatmap(ax, table: pd.DataFrame, *, fmt: str, cmap: str, xlabels, ylabels, label: str | None = None,
            vmax=None, hide_zeros: bool = False):
    """Draw ``table`` as a heat map with each value written in its cell; return the Axes.

    Cells holding NaN (or 0 with ``hide_zeros``) are left blank and unannotated. seaborn
    chooses a dark or light number colour for each cell from its background. The mesh has
    gid ``heatmap``; ``label`` adds a colour bar with that label.
    """
    data = table.to_numpy(dtype=float)
    blank = ~np.isfinite(data) | ((data == 0) if hide_zeros else False)
    top = float(np.nanmax(data)) if np.isfinite(data).any() else 0.0
    sns.heatmap(data, ax=ax, cmap=cmap, vmin=0, vmax=vmax if vmax is not None else max(1.0, top), mask=blank,
                annot=True, fmt=fmt, annot_kws={"fontsize": 7}, cbar=label is not None,
                cbar_kws={"label": label, "shrink": 0.8} if label is not None else None,
                xticklabels=False, yticklabels=False, linewidths=0)
    ax.collections[0].set_gid("heatmap")
    ax.set_xticks(np.arange(len(xlabels)) + 0.5, xlabels)
    ax.set_yticks(np.arange(table.shape[0]) + 0.5, ylabels, rotation=0)
    return ax

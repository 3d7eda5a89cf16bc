"""Draws media/icon.png, the extension's 128 x 128 Marketplace icon, from nothing but matplotlib.

Run with an interpreter that has matplotlib (Debian's python3-matplotlib: /usr/bin/python3):
    /usr/bin/python3 scripts/make-icon.py
The picture is the product in one glance: a step split into its stages (the panel's stage
colours: data, forward, backward, optimizer) under a lens, on a dark tile.
"""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Circle, FancyBboxPatch, Rectangle  # noqa: E402

SIZE_PX = 128
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "media", "icon.png")
# package.json contributes these as trainlens.stageData/Forward/Backward/Optimizer (dark theme).
STAGES = [("#d18616", 0.38), ("#3794ff", 0.22), ("#b180d7", 0.27), ("#89d185", 0.13)]

fig = plt.figure(figsize=(1, 1), dpi=SIZE_PX)
ax = fig.add_axes([0, 0, 1, 1])
ax.set_xlim(0, 1)
ax.set_ylim(0, 1)
ax.axis("off")
fig.patch.set_alpha(0)

ax.add_patch(FancyBboxPatch((0.04, 0.04), 0.92, 0.92, boxstyle="round,pad=0,rounding_size=0.16", facecolor="#1f2430", edgecolor="none"))

# Three steps, each a row of stage segments; the data stage grows as a loader falls behind.
for row, scale in enumerate([0.8, 0.9, 1.0]):
    x = 0.14
    y = 0.62 - row * 0.17
    for colour, share in STAGES:
        width = 0.72 * share * (scale if colour == "#d18616" else 1.0)
        ax.add_patch(Rectangle((x, y), width - 0.012, 0.11, facecolor=colour, edgecolor="none"))
        x += width

# The lens over the data stage.
ax.add_patch(Circle((0.36, 0.52), 0.2, facecolor=(1, 1, 1, 0.16), edgecolor="white", linewidth=4.2))
ax.plot([0.5, 0.8], [0.38, 0.1], color="white", linewidth=7, solid_capstyle="round")

fig.savefig(OUT, dpi=SIZE_PX, transparent=True)
print("wrote", os.path.relpath(OUT))

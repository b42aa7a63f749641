"""How the distributed driver cuts a video into chunks: near-equal frame ranges whose cuts lie
on keyframes, so that no chunk decodes frames it then throws away."""
from __future__ import annotations

import bisect


def plan_chunks(frames: int, keyframes: list[int], chunks: int) -> list[tuple[int, int]]:
    """At most `chunks` ranges [start, end) covering 0..frames, cut at the keyframe nearest to
    each even split point (fewer when keyframes are sparse)."""
    if frames <= 0:
        return []
    cuts = sorted({k for k in keyframes if 0 < k < frames})
    bounds = [0]
    for i in range(1, max(1, chunks)):
        target = round(i * frames / chunks)
        j = bisect.bisect_left(cuts, target)
        near = [cuts[k] for k in (j - 1, j) if 0 <= k < len(cuts)]
        if not near:
            continue
        best = min(near, key=lambda k: (abs(k - target), k))
        if best > bounds[-1]:
            bounds.append(best)
    bounds.append(frames)
    return list(zip(bounds[:-1], bounds[1:]))

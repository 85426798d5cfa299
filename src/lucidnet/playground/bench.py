"""Frames per second of the playground's training loop, without the web server.

``python -m lucidnet.playground.bench [seconds]`` trains the default network (2 inputs, 4-2 tanh,
batch 10) as a playing session does -- one epoch of mini-batches, then one frame (boundary grid,
thumbnails, weights, doctor, formulas) encoded as JSON -- as fast as it can and prints frames/s
and steps/s. The server caps a session at 30 frames/s; this shows the headroom.

Examples
--------
>>> from lucidnet.playground.bench import measure_fps
>>> result = measure_fps(seconds=0.2)
>>> result["frames"] >= 1 and result["steps"] >= 25
True
"""

from __future__ import annotations

import json
import sys
import time

from .engine import PlaygroundSession

__all__ = ["measure_fps"]


def measure_fps(config: dict | None = None, seconds: float = 5.0) -> dict:
    """Run the playing loop for ``seconds``; ``{"frames", "steps", "seconds", "fps",
    "steps_per_s", "frame_ms"}`` (frame_ms: the mean time of one frame + JSON alone).

    Examples
    --------
    >>> from lucidnet.playground.bench import measure_fps
    >>> sorted(measure_fps(seconds=0.1))
    ['fps', 'frame_ms', 'frames', 'seconds', 'steps', 'steps_per_s']
    """
    session = PlaygroundSession(config or {})
    frames = steps = 0
    frame_time = 0.0
    start = time.perf_counter()
    while True:
        steps += session.step(session.steps_per_epoch)
        t = time.perf_counter()
        json.dumps(session.frame(), allow_nan=False)
        frame_time += time.perf_counter() - t
        frames += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
    return {"frames": frames, "steps": steps, "seconds": elapsed, "fps": frames / elapsed,
            "steps_per_s": steps / elapsed, "frame_ms": 1000 * frame_time / frames}


def main(argv=None) -> int:
    """Print the measurement of the default network (argument: seconds, default 10)."""
    argv = sys.argv[1:] if argv is None else argv
    seconds = float(argv[0]) if argv else 10.0
    r = measure_fps(seconds=seconds)
    print(f"default network: {r['fps']:.1f} frames/s ({r['steps_per_s']:.0f} steps/s, one epoch "
          f"= 25 steps per frame; frame + JSON {r['frame_ms']:.1f} ms) over {r['seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Peak memory of storing one uploaded image (check, re-encode, card rendition), per kind of image.

    .venv/bin/python bench/images.py

Each image is written to a file first; then a fresh process (so nothing else is in its memory)
runs config.images' checks and re-encoding on it and reports its peak resident memory above what
the same process held before (``ru_maxrss``). Refused images show how early they were refused.
"""

import io
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

CASES = [  # (label, width, height, format, mode)
    ("phone photo 12 Mpx", 4000, 3000, "JPEG", "RGB"),
    ("phone photo 48 Mpx", 8000, 6000, "JPEG", "RGB"),
    ("JPEG 89 Mpx (the cap)", 9450, 9450, "JPEG", "RGB"),
    ("JPEG 100 Mpx", 10000, 10000, "JPEG", "RGB"),
    ("screenshot 5K PNG", 5120, 2880, "PNG", "RGB"),
    ("PNG 4096² RGBA (the cap)", 4096, 4096, "PNG", "RGBA"),
    ("PNG 6300² RGBA, 165 KB (a bomb)", 6300, 6300, "PNG", "RGBA"),
]


def make(path, width, height, kind, mode):
    from PIL import Image

    Image.new(mode, (width, height), (200, 10, 10, 128) if mode == "RGBA" else (200, 10, 10)).save(path, kind)


def measure(path):
    import django

    django.setup()
    from config.images import CARD_SIDE, image_check, image_reencode

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(path, "rb") as handle:
        from django.core.files import File

        upload = File(handle, name=path)
        try:
            image_check(upload)
            data, _ext = image_reencode(upload)
            image_reencode(io.BytesIO(data), side=CARD_SIDE)
            outcome = "stored"
        except Exception as exc:  # noqa: BLE001 (a refusal is a result here)
            outcome = f"refused: {exc}"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{(peak - before) / 1024:.0f}\t{outcome}")


def main():
    print(f"{'image':34} {'file KB':>8} {'peak MB':>8}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        for label, width, height, kind, mode in CASES:
            path = os.path.join(folder, f"image.{kind.lower()}")
            subprocess.run([sys.executable, __file__, "--make", path, str(width), str(height), kind, mode], check=True)
            result = subprocess.run(
                [sys.executable, __file__, "--measure", path], check=True, capture_output=True, text=True
            )
            peak, outcome = result.stdout.strip().split("\t", 1)
            size = os.path.getsize(path) // 1024
            print(f"{label:34} {size:>8} {peak:>8}  {outcome}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--make"]:
        make(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6])
    elif sys.argv[1:2] == ["--measure"]:
        measure(sys.argv[2])
    else:
        main()

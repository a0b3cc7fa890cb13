"""Count the pixels of a PNG screenshot that show something (Pillow and NumPy).

    python3 tests/png_pixels.py SHOT.png

Prints {"pixels": all, "non_white": pixels with a channel below 200,
"orange": pixels with red > 180, green < 140, blue < 100}.
"""
import json
import sys

import numpy as np
from PIL import Image


def main(path):
    rgb = np.asarray(Image.open(path).convert("RGB")).astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    print(json.dumps({
        "pixels": int(r.size),
        "non_white": int(((r < 200) | (g < 200) | (b < 200)).sum()),
        "orange": int(((r > 180) & (g < 140) & (b < 100)).sum()),
    }))


if __name__ == "__main__":
    main(sys.argv[1])

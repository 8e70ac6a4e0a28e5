"""QR codes: PNG posters for locations, inline SVG for a case's own page (one case, one code).
The qrcode package (which loads Pillow) is imported at the first code a process draws."""
from __future__ import annotations

import io
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import qrcode


def code(url: str) -> qrcode.QRCode:
    """The code for `url` at error-correction level H (readable with 30% of it soiled), 4-module quiet zone."""
    import qrcode
    import qrcode.constants

    made = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_H, box_size=10, border=4)
    made.add_data(url)
    made.make(fit=True)
    return made


def png(url: str) -> bytes:
    out = io.BytesIO()
    code(url).make_image().save(out, format="PNG")
    return out.getvalue()


@lru_cache(maxsize=512)
def svg(url: str) -> str:
    """SVG markup for embedding in a page (a case's URL never changes: rebuilds reuse it).

    Pages are written for every change of every case, so this one is drawn fast: a fixed mask
    (any of the eight decodes; searching for the best one costs more than the rest together) and
    the dark modules as one path of horizontal runs, in module units. Level M: the code is read from
    a screen, never soiled, and a smaller code keeps the page light."""
    import qrcode
    import qrcode.constants

    made = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, mask_pattern=0)
    made.add_data(url)
    made.make(fit=True)
    matrix = made.get_matrix()  # the quiet zone included
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h{start - x}z")
            else:
                x += 1
    size = len(matrix)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges">'
            f'<rect width="{size}" height="{size}" fill="#fff"/><path d="{"".join(runs)}" fill="#000"/></svg>')

"""Printable QR posters for locations: one layout in millimetres, drawn as PNG, SVG and PDF."""
from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from . import qr

PAGE_W, PAGE_H = 210.0, 297.0  # A4 portrait, mm
MARGIN = 12.0
BRAND, INK, MUTED, RULE, WHITE = "#c8102e", "#1a1a1a", "#4d4d4d", "#b3b3b3", "#ffffff"
MIN_CODE_MM = 40.0  # a smaller code (quiet zone included) no longer scans from a wall at arm's length
SVG_FONTS = ("'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', "
             "sans-serif")
PDF_FONT = "STSong-Light"  # one of Adobe's CID fonts: the reader supplies the glyphs, nothing to embed or install
# (regular, bold): the first pair whose regular file exists is used
FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)


class MissingFont(RuntimeError):
    """No font that has the poster's Chinese glyphs: the PNG would show boxes instead of text."""


@dataclass(frozen=True)
class Poster:
    place: str           # 人民公园东门
    district: str        # 清河区
    url: str             # the intake page the code opens
    instruction: str     # 发现问题？扫码反映，件件有回音
    instruction_en: str  # See a problem? Scan to report it. Every report gets an answer.
    lookup: str          # 查询办理进度：https://site.example/
    code: str            # qh01


@dataclass(frozen=True)
class Text:
    x: float  # mm from the left; the anchor point
    y: float  # mm from the top; the baseline
    text: str
    size: float  # em, mm
    colour: str = INK
    bold: bool = False
    anchor: str = "middle"  # start | middle | end


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    colour: str


@dataclass(frozen=True)
class Code:
    x: float
    y: float
    size: float  # the side of the square, quiet zone included
    modules: tuple[tuple[bool, ...], ...]

    def runs(self) -> Iterator[tuple[int, int, int]]:
        """Horizontal runs of dark modules as (column, row, length): one rectangle each instead of one per module."""
        for row, line in enumerate(self.modules):
            column = 0
            for dark, group in groupby(line):
                length = len(list(group))
                if dark:
                    yield column, row, length
                column += length


Element = Text | Box | Code


def code_for(url: str, x: float, y: float, size: float) -> Code:
    """The location's code at level H with its 4-module quiet zone, to be drawn `size` mm wide."""
    return Code(x, y, size, tuple(tuple(row) for row in qr.code(url).get_matrix()))


# --- layout -------------------------------------------------------------------------------------

def _em(text: str) -> float:
    """Width in em, estimated on the wide side: Chinese is square, Latin letters are at most about 0.6 em."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)


def _fit(text: str, width: float, largest: float, smallest: float) -> tuple[float, list[str]]:
    """The largest size up to `largest` at which `text` fits `width`: on one line, or else on two balanced ones."""
    size = min(largest, width / max(_em(text), 1.0))
    # Latin words stay whole; Chinese breaks between any two characters, but not before its punctuation
    tokens = re.findall(r"[\x21-\x7e]+\s*|\S[，。、？！：；）”]*\s*|\s+", text)
    if size >= smallest or len(tokens) < 2:
        return size, [text]
    splits = [("".join(tokens[:i]).strip(), "".join(tokens[i:]).strip()) for i in range(1, len(tokens))]
    lines = min(splits, key=lambda pair: max(_em(pair[0]), _em(pair[1])))
    return min(largest, width / max(_em(line) for line in lines)), list(lines)


def _block(text: str, centre: tuple[float, float], width: float, largest: float, smallest: float,
           colour: str = INK, bold: bool = False) -> list[Text]:
    """`text` centred on the point `centre` (mm), wrapped and shrunk to fit `width`."""
    size, lines = _fit(text, width, largest, smallest)
    leading = 1.25 * size
    first = centre[1] - leading * (len(lines) - 1) / 2 + 0.36 * size  # 0.36 em: from the glyphs' middle to the baseline
    return [Text(centre[0], first + i * leading, line, size, colour, bold) for i, line in enumerate(lines)]


def layout(poster: Poster) -> list[Element]:
    """One poster on an A4 page, in mm from the top left corner."""
    width, axis = PAGE_W - 2 * MARGIN, PAGE_W / 2
    side, top = 150.0, 80.0
    left = axis - side / 2
    return [
        Box(0, 0, PAGE_W, 30, BRAND),
        *_block(poster.district, (axis, 15), width, 12, 8, colour=WHITE, bold=True),
        *_block(poster.place, (axis, 55), width, 20, 12, bold=True),
        Box(left - 3, top - 3, side + 6, side + 6, BRAND),  # a frame around the quiet zone, never inside it
        Box(left - 1.8, top - 1.8, side + 3.6, side + 3.6, WHITE),
        code_for(poster.url, left, top, side),
        *_block(poster.instruction, (axis, 249), width, 11, 7, colour=BRAND, bold=True),
        *_block(poster.instruction_en, (axis, 261), width, 5.5, 4),
        Box(MARGIN, 270, width, 0.4, RULE),
        *_block(poster.lookup, (axis, 279), width, 5, 3.5),
        Text(PAGE_W - MARGIN, 290, poster.code, 3.5, MUTED, anchor="end"),
    ]


def sheet_layout(posters: Sequence[Poster], title: str, per_page: int) -> list[Element]:
    """Up to `per_page` codes on one A4 page under `title`, each in a cell outlined for cutting."""
    header, margin, name_h, label_h = 22.0, 10.0, 15.0, 5.0
    grid_w, grid_h = PAGE_W - 2 * margin, PAGE_H - header - 2 * margin
    columns = max(1, round(math.sqrt(per_page * grid_w / grid_h)))  # cells as close to square as the page allows
    rows = math.ceil(per_page / columns)
    cell_w, cell_h = grid_w / columns, grid_h / rows
    side = min(cell_w - 6, cell_h - name_h - label_h)
    if side < MIN_CODE_MM:
        raise ValueError(f"{per_page} codes per page would print each {side:.0f} mm wide, under {MIN_CODE_MM:.0f} mm")
    elements: list[Element] = [Box(0, 0, PAGE_W, header, BRAND),
                               *_block(title, (PAGE_W / 2, header / 2), PAGE_W - 2 * margin, 9, 6, WHITE, bold=True)]
    for index, poster in enumerate(posters[:per_page]):
        x, y = margin + (index % columns) * cell_w, header + margin + (index // columns) * cell_h
        middle = x + cell_w / 2
        elements += [Box(x, y, cell_w, 0.2, RULE), Box(x, y + cell_h, cell_w, 0.2, RULE),
                     Box(x, y, 0.2, cell_h, RULE), Box(x + cell_w, y, 0.2, cell_h, RULE),
                     *_block(poster.place, (middle, y + name_h / 2 + 1), cell_w - 6, 5.5, 3.5, bold=True),
                     code_for(poster.url, middle - side / 2, y + name_h, side),
                     Text(middle, y + name_h + side + 3, f"{poster.district} · {poster.code}", 3, MUTED)]
    return elements


# --- PNG ----------------------------------------------------------------------------------------

Face = tuple[str, int]  # a font file and the face inside it


@lru_cache(maxsize=8)
def _simplified_face(path: str) -> int:
    """The Simplified Chinese face of a font collection (Noto CJK holds JP, KR, SC, TC and HK in one file)."""
    for index in range(16):
        try:
            name = ImageFont.truetype(path, 12, index=index).getname()[0] or ""
        except OSError as error:
            if index == 0:
                raise MissingFont(f"cannot open the font {path}: {error}") from error
            break
        if name.endswith(" SC"):
            return index
    return 0


def cjk_fonts(font_path: str | Path | None = None) -> tuple[Face, Face]:
    """(regular, bold) faces with Chinese glyphs: `font_path` for both if given, else a known system font."""
    if font_path is not None:
        face = (str(font_path), _simplified_face(str(font_path)))
        return face, face
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).is_file():
            bold = bold if Path(bold).is_file() else regular
            return (regular, _simplified_face(regular)), (bold, _simplified_face(bold))
    raise MissingFont("no Chinese font found (looked for " + ", ".join(r for r, _ in FONT_CANDIDATES)
                      + "): install the Debian package fonts-noto-cjk, or pass font_path")


@lru_cache(maxsize=64)
def _font(face: Face, pixels: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(face[0], pixels, index=face[1])


def _drawn(face: Face, character: str) -> bytes:
    image = Image.new("L", (48, 48))
    ImageDraw.Draw(image).text((8, 8), character, fill=255, font=_font(face, 32))
    return image.tobytes()


@lru_cache(maxsize=4096)
def _has_glyph(face: Face, character: str) -> bool:
    return _drawn(face, character) != _drawn(face, "\U0010fffd")  # a code point no font has: the .notdef box


def _check_glyphs(elements: list[Element], faces: dict[bool, Face]) -> None:
    for text in (e for e in elements if isinstance(e, Text)):
        face = faces[text.bold]
        missing = {c for c in text.text if not c.isspace() and not _has_glyph(face, c)}
        if missing:
            raise MissingFont(f"{face[0]} has no glyph for {''.join(sorted(missing))!r} in {text.text!r}")


def png(poster: Poster, font_path: str | Path | None = None, dpi: int = 150) -> bytes:
    """The poster as an A4 PNG (1240x1754 at 150 dpi); raises MissingFont rather than draw boxes."""
    regular, bold = cjk_fonts(font_path)
    elements, faces, scale = layout(poster), {False: regular, True: bold}, dpi / 25.4
    _check_glyphs(elements, faces)
    image = Image.new("RGB", (round(PAGE_W * scale), round(PAGE_H * scale)), WHITE)
    draw = ImageDraw.Draw(image)
    anchors = {"start": "ls", "middle": "ms", "end": "rs"}
    for element in elements:
        match element:
            case Box(x, y, w, h, colour):
                draw.rectangle((round(x * scale), round(y * scale), round((x + w) * scale) - 1,
                                round((y + h) * scale) - 1), fill=colour)
            case Text(x, y, text, size, colour, heavy, anchor):
                font = _font(faces[heavy], round(size * scale))
                draw.text((x * scale, y * scale), text, fill=colour, font=font, anchor=anchors[anchor])
            case Code():
                _png_code(draw, element, scale)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()


def _png_code(draw: ImageDraw.ImageDraw, code: Code, scale: float) -> None:
    """Whole pixels per module (blurred module edges scan worse), centred in the code's square."""
    count = len(code.modules)
    module = int(code.size * scale) // count
    x0 = round(code.x * scale + (code.size * scale - module * count) / 2)
    y0 = round(code.y * scale + (code.size * scale - module * count) / 2)
    draw.rectangle((x0, y0, x0 + module * count - 1, y0 + module * count - 1), fill=WHITE)
    for column, row, length in code.runs():
        draw.rectangle((x0 + column * module, y0 + row * module, x0 + (column + length) * module - 1,
                        y0 + (row + 1) * module - 1), fill="#000000")


# --- SVG ----------------------------------------------------------------------------------------

def _n(value: float) -> str:
    return f"{round(value, 2):g}"


def svg(poster: Poster) -> str:
    """The poster as a standalone A4 SVG (user units are mm); every text is escaped."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(PAGE_W)}mm" height="{_n(PAGE_H)}mm" '
             f'viewBox="0 0 {_n(PAGE_W)} {_n(PAGE_H)}" font-family="{SVG_FONTS}">',
             f"<title>{escape(poster.place)}</title>",
             f'<rect width="{_n(PAGE_W)}" height="{_n(PAGE_H)}" fill="{WHITE}"/>']
    for element in layout(poster):
        match element:
            case Box(x, y, w, h, colour):
                parts.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{colour}"/>')
            case Text(x, y, text, size, colour, bold, anchor):
                parts.append(f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" fill="{colour}" '
                             f'font-weight="{700 if bold else 400}" text-anchor="{anchor}">'
                             f"{escape(text)}</text>")
            case Code(x, y, size, modules):
                path = "".join(f"M{c} {r}h{n}v1h-{n}z" for c, r, n in element.runs())
                parts.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(size)}" height="{_n(size)}" fill="{WHITE}"/>'
                             f'<path transform="translate({_n(x)} {_n(y)}) scale({size / len(modules):.6g})" '
                             f'd="{path}" fill="#000000" shape-rendering="crispEdges"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# --- PDF ----------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _pdf_font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    return PDF_FONT


def pages(posters: Sequence[Poster], title: str | None = None, per_page: int = 1) -> Iterator[list[Element]]:
    """The PDF's pages: a poster each, or sheets of `per_page` codes, a new sheet for each district."""
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    if per_page == 1:
        yield from (layout(poster) for poster in posters)
        return
    for district, group in groupby(posters, key=lambda poster: poster.district):
        same = list(group)
        for start in range(0, len(same), per_page):
            yield sheet_layout(same[start:start + per_page], title or district, per_page)


def pdf(posters: Sequence[Poster], title: str | None = None, per_page: int = 1) -> bytes:
    """A4 PDF: one poster per page, or with per_page > 1 sheets of codes per district under `title`."""
    if not posters:
        raise ValueError("no posters to print")
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(PAGE_W * mm, PAGE_H * mm), invariant=True)
    canvas.setTitle(title or " ".join(dict.fromkeys(poster.district for poster in posters)))
    for elements in pages(posters, title, per_page):
        for element in elements:
            _pdf_element(canvas, element)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _pdf_runs(text: str, bold: bool) -> list[tuple[str, str]]:
    """(font, part) pairs: Latin in Helvetica, since readers that substitute the CID font squeeze its Latin."""
    latin = "Helvetica-Bold" if bold else "Helvetica"
    runs = [(latin if re.fullmatch(r"[\x20-\x7e\xa0-\xff]+", part) else _pdf_font(), part)
            for part in re.findall(r"[\x20-\x7e\xa0-\xff]+|[^\x20-\x7e\xa0-\xff]+", text)]
    for part in (part for font, part in runs if font == PDF_FONT):
        try:
            part.encode("gbk")  # the Chinese characters the CID font is sure to have
        except UnicodeEncodeError as error:
            raise MissingFont(f"{PDF_FONT} has no glyph for {part[error.start:error.end]!r} in {text!r}") from error
    return runs


def _pdf_text(canvas: Canvas, text: Text) -> None:
    points = text.size * mm
    runs = _pdf_runs(text.text, text.bold)
    width = sum(pdfmetrics.stringWidth(part, font, points) for font, part in runs)
    shift = {"start": 0.0, "middle": width / 2, "end": width}[text.anchor]
    canvas.saveState()  # the stroke that makes Chinese bold must not outlive this text
    colour = HexColor(text.colour)
    canvas.setFillColor(colour)
    canvas.setStrokeColor(colour)
    canvas.setLineWidth(points * 0.04)
    line = canvas.beginText(text.x * mm - shift, (PAGE_H - text.y) * mm)
    for font, part in runs:
        line.setFont(font, points)
        line.setTextRenderMode(2 if text.bold and font == PDF_FONT else 0)  # the CID font has no bold: stroke it too
        line.textOut(part)
    canvas.drawText(line)
    canvas.restoreState()


def _pdf_element(canvas: Canvas, element: Element) -> None:
    """Draws one element; PDF's y axis points up, so y is measured from the page's bottom edge."""
    match element:
        case Box(x, y, w, h, colour):
            canvas.setFillColor(HexColor(colour))
            canvas.rect(x * mm, (PAGE_H - y - h) * mm, w * mm, h * mm, stroke=0, fill=1)
        case Text():
            _pdf_text(canvas, element)
        case Code(x, y, size, modules):
            module = size / len(modules) * mm
            left, top = x * mm, (PAGE_H - y) * mm
            canvas.setFillColor(HexColor(WHITE))
            canvas.rect(left, top - size * mm, size * mm, size * mm, stroke=0, fill=1)
            path = canvas.beginPath()  # one path: neighbouring runs merge, no hairline seams between them
            for column, row, length in element.runs():
                path.rect(left + column * module, top - (row + 1) * module, length * module, module)
            canvas.setFillColor(HexColor("#000000"))
            canvas.drawPath(path, stroke=0, fill=1)

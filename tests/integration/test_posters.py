"""Posters as printed: every format scans to its location's URL at level H, and its Chinese is real text."""
from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
import qrcode
import qrcode.constants
from PIL import Image

from chalicelib.render import posters
from chalicelib.render.posters import Code, MissingFont, Poster

SITE = "https://site.example"
DPI = 150
SVG = "{http://www.w3.org/2000/svg}"
DEBIAN_PACKAGE = {"zbarimg": "zbar-tools", "pdftoppm": "poppler-utils", "pdftotext": "poppler-utils",
                  "rsvg-convert": "librsvg2-bin", "chromium": "chromium"}


def make_poster(code: str = "qh01", place: str = "人民公园东门", district: str = "清河区") -> Poster:
    return Poster(place=place, district=district, url=f"{SITE}/q/{code}.html",
                  instruction="发现问题？扫码反映，件件有回音",
                  instruction_en="See a problem? Scan to report it. Every report gets an answer.",
                  lookup=f"查询办理进度：{SITE}/", code=code)


LONG = make_poster("qh02", "清河区人民医院门诊楼北侧公共卫生间旁非机动车停车场入口")
MARKUP = make_poster("qh03", '<&>" 东门 Tom\'s Café')
POSTERS = [make_poster("qh01"), LONG, MARKUP, make_poster("bj01", "滨江路公交站", "滨江区")]


def run(*command: str) -> subprocess.CompletedProcess[str]:
    if shutil.which(command[0]) is None:
        pytest.fail(f"{command[0]} is missing: install the Debian package {DEBIAN_PACKAGE[command[0]]}")
    return subprocess.run(command, capture_output=True, text=True)


def decode(image: Path) -> list[str]:
    """Every code zbarimg reads in the image, one text each."""
    answer = run("zbarimg", "--raw", "-q", str(image))
    assert answer.returncode in (0, 4), answer.stderr  # 4: it ran and found no code
    return answer.stdout.splitlines()


def rasterise_svg(svg: str, out: Path, browser: bool = False) -> Path:
    """The SVG as a PNG at DPI, drawn by librsvg or, without it (or when asked), by Chromium."""
    source = out.with_suffix(".svg")
    source.write_text(svg, encoding="utf-8")
    if shutil.which("rsvg-convert") and not browser:
        answer = run("rsvg-convert", "--dpi-x", str(DPI), "--dpi-y", str(DPI), "-o", str(out), str(source))
        assert answer.returncode == 0, answer.stderr
        return out
    # In a process of its own: the browser tests of this session may hold Playwright's loop already.
    answer = subprocess.run([sys.executable, "-c", CHROMIUM_SHOT, source.as_uri(), str(out), str(DPI / 96)],
                            capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0, answer.stderr
    return out


CHROMIUM_SHOT = """
import sys
from playwright.sync_api import sync_playwright
with sync_playwright() as playwright:
    chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
    page = chromium.new_page(viewport={"width": 794, "height": 1123}, device_scale_factor=float(sys.argv[3]))
    page.goto(sys.argv[1])
    page.screenshot(path=sys.argv[2])
    chromium.close()
"""


def rasterise_pdf(document: bytes, folder: Path) -> list[Path]:
    (folder / "doc.pdf").write_bytes(document)
    answer = run("pdftoppm", "-r", str(DPI), "-png", str(folder / "doc.pdf"), str(folder / "page"))
    assert answer.returncode == 0, answer.stderr
    return sorted(folder.glob("page-*.png"))


def pdf_text(document: bytes, folder: Path) -> str:
    (folder / "doc.pdf").write_bytes(document)
    answer = run("pdftotext", "-enc", "UTF-8", str(folder / "doc.pdf"), "-")
    assert answer.returncode == 0, answer.stderr
    return "".join(answer.stdout.split())  # wrapped lines joined again


def level(symbol: list[list[bool]]) -> str:
    """The error-correction level, read from the format information beside the top-left finder: its first two
    bits, masked with 1 and 0 (ISO/IEC 18004), are the modules at row 8, columns 0 and 1."""
    return {(True, True): "L", (True, False): "M", (False, True): "Q", (False, False): "H"}[(symbol[8][0],
                                                                                             symbol[8][1])]


def symbol_of(code: Code) -> list[list[bool]]:
    """The symbol without its 4-module quiet zone."""
    return [list(row[4:-4]) for row in code.modules[4:-4]]


@dataclass
class Printed:
    symbol: list[list[bool]]
    quiet_zone: float  # in modules: the narrowest white margin between the symbol and the code's square


def pixels(code: Code) -> tuple[int, int, int, int]:
    """The code's square in the layout (quiet zone included) as a box of pixels at DPI."""
    scale = DPI / 25.4
    return (round(code.x * scale), round(code.y * scale), round((code.x + code.size) * scale),
            round((code.y + code.size) * scale))


def printed(image: Path, code: Code) -> Printed:
    """The code as printed in the layout's square: modules sampled at their centres from the raster."""
    grey = Image.open(image).convert("L").crop(pixels(code))
    dark = grey.point(lambda v: 255 if v < 128 else 0)
    left, top, right, bottom = dark.getbbox()
    finder = next(x for x in range(left, right) if not dark.getpixel((x, top + 2))) - left  # 7 modules wide
    module = finder / 7
    count = round((right - left) / module)
    rows = [[dark.getpixel((left + (c + 0.5) * module, top + (r + 0.5) * module)) == 255 for c in range(count)]
            for r in range(count)]
    margins = (left, top, grey.width - right, grey.height - bottom)
    return Printed(rows, min(margins) / module)


def first_code(elements: list[posters.Element]) -> Code:
    return next(e for e in elements if isinstance(e, Code))


@pytest.mark.parametrize("poster", POSTERS, ids=lambda p: p.code)
def test_the_png_poster_scans_to_its_location_url(poster, tmp_path):
    path = tmp_path / "poster.png"
    path.write_bytes(posters.png(poster))
    assert decode(path) == [poster.url]
    assert Image.open(path).size == (1240, 1754)  # A4 at 150 dpi


@pytest.mark.parametrize("poster", POSTERS, ids=lambda p: p.code)
def test_the_svg_poster_drawn_scans_to_its_location_url(poster, tmp_path):
    assert decode(rasterise_svg(posters.svg(poster), tmp_path / "poster.png")) == [poster.url]


def test_the_svg_poster_drawn_by_chromium_scans_too(tmp_path):
    assert decode(rasterise_svg(posters.svg(LONG), tmp_path / "poster.png", browser=True)) == [LONG.url]


def test_each_page_of_the_poster_pdf_scans_to_its_own_location(tmp_path):
    pages = rasterise_pdf(posters.pdf(POSTERS), tmp_path)
    assert [decode(page) for page in pages] == [[poster.url] for poster in POSTERS]


def decode_each(page: Path, codes: list[Code]) -> list[str]:
    """Each code read on its own, cut from the page along its square in the layout (quiet zone included)."""
    found = []
    with Image.open(page) as image:
        for index, code in enumerate(codes):
            cut = page.with_name(f"{page.stem}-code{index}.png")
            image.crop(pixels(code)).save(cut)
            found += decode(cut)
    return found


@pytest.mark.parametrize("per_page", [6, 12])
def test_a_district_sheet_scans_to_every_one_of_its_locations(per_page, tmp_path):
    """Codes are read one by one, as a phone frames them: on a whole grid of same-sized codes zbar's detector
    sometimes pairs finder patterns of vertically aligned codes and skips one, at some resolutions only."""
    district = [make_poster(f"qh{i:02d}", LONG.place if i % 4 == 0 else f"清河区第{i}号点位") for i in range(1, 15)]
    other = make_poster("bj01", "滨江路公交站", "滨江区")
    chosen = [*district, other]
    document = posters.pdf(chosen, title="清河区 · 点位二维码", per_page=per_page)
    layouts = list(posters.pages(chosen, title="清河区 · 点位二维码", per_page=per_page))
    pages = rasterise_pdf(document, tmp_path)
    sheets = [district[i:i + per_page] for i in range(0, len(district), per_page)] + [[other]]
    assert len(pages) == len(layouts) == len(sheets)
    for page, elements, sheet in zip(pages, layouts, sheets, strict=True):
        expected = [poster.url for poster in sheet]
        assert decode_each(page, [e for e in elements if isinstance(e, Code)]) == expected
        assert set(decode(page)) <= set(expected)  # the whole page: nothing foreign, nothing misread


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_the_printed_code_is_the_level_h_code_with_its_quiet_zone_clear(fmt, tmp_path):
    path = tmp_path / "poster.png"
    if fmt == "png":
        path.write_bytes(posters.png(LONG))
    elif fmt == "svg":
        rasterise_svg(posters.svg(LONG), path)
    else:
        [path] = rasterise_pdf(posters.pdf([LONG]), tmp_path)
    code = first_code(posters.layout(LONG))
    seen = printed(path, code)
    assert seen.symbol == symbol_of(code)
    assert level(seen.symbol) == "H"
    assert seen.quiet_zone >= 3.9


def test_the_level_reader_tells_the_four_levels_apart():
    for name in "LMQH":
        made = qrcode.QRCode(error_correction=getattr(qrcode.constants, f"ERROR_CORRECT_{name}"), border=4)
        made.add_data(LONG.url)
        matrix = tuple(tuple(row) for row in made.get_matrix())
        assert level(symbol_of(Code(0, 0, 1, matrix))) == name


@pytest.mark.parametrize("per_page", [1, 6, 12])
def test_every_code_on_every_page_is_level_h_and_at_least_40_mm(per_page):
    many = [make_poster(f"qh{i:02d}") for i in range(1, 14)]
    codes = [e for page in posters.pages(many, per_page=per_page) for e in page if isinstance(e, Code)]
    assert len(codes) == len(many)
    assert all(level(symbol_of(code)) == "H" and code.size >= posters.MIN_CODE_MM for code in codes)


def test_a_sheet_refuses_more_codes_than_fit_at_40_mm():
    with pytest.raises(ValueError, match="under 40 mm"):
        posters.pdf([make_poster()], per_page=30)


def test_the_pdf_holds_its_chinese_and_english_as_text(tmp_path):
    text = pdf_text(posters.pdf(POSTERS), tmp_path)
    for poster in POSTERS:
        for line in (poster.place, poster.district, poster.instruction, poster.instruction_en, poster.lookup):
            assert "".join(line.split()) in text


def test_a_district_sheet_holds_its_title_and_place_names_as_text(tmp_path):
    text = pdf_text(posters.pdf(POSTERS[:3], title="清河区 · 点位二维码", per_page=6), tmp_path)
    assert "清河区·点位二维码" in text
    assert all("".join(poster.place.split()) in text for poster in POSTERS[:3])


def test_the_svg_escapes_place_names_and_keeps_them_as_text():
    source = posters.svg(MARKUP)
    assert '<&>"' not in source
    root = ET.fromstring(source.encode("utf-8"))
    assert root.findtext(f"{SVG}title") == MARKUP.place
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert MARKUP.place in texts and MARKUP.instruction in texts and MARKUP.instruction_en in texts
    assert root.get("viewBox") == "0 0 210 297"


def test_a_font_without_chinese_is_refused_rather_than_drawing_boxes():
    latin = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not latin.is_file():
        pytest.skip("no Latin-only font here to try (Debian package fonts-dejavu-core)")
    with pytest.raises(MissingFont, match="no glyph for"):
        posters.png(POSTERS[0], font_path=latin)


def test_without_a_chinese_font_the_error_names_the_debian_package(monkeypatch):
    monkeypatch.setattr(posters, "FONT_CANDIDATES", (("/nowhere/regular.ttc", "/nowhere/bold.ttc"),))
    with pytest.raises(MissingFont, match="fonts-noto-cjk"):
        posters.png(POSTERS[0])


def test_the_pdf_refuses_a_character_its_chinese_font_lacks():
    with pytest.raises(MissingFont, match="𠀀"):
        posters.pdf([make_poster(place="𠀀村口")])


def test_a_case_pages_code_decodes_to_the_case_page(tmp_path):
    from chalicelib.render import qr

    url = "https://site.example.gov.cn/en/t/20261124-0042.html"
    svg = qr.svg(url)
    svg = svg.replace("<svg ", '<svg width="400" height="400" ', 1)  # a size for the rasteriser
    assert decode(rasterise_svg(svg, tmp_path / "case.png")) == [url]

"""A cold start loads only what every request needs: the libraries of one kind of work (drawing
posters and photos, rendering pages, checking staff tokens, talking to AWS) load at their first
use, and the X-Ray SDK not at all while tracing is unused."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from infra.package import problems, trim

ROOT = Path(__file__).resolve().parents[2]
LOADED_AT_FIRST_USE = (
    "PIL", "qrcode", "reportlab",               # posters, photos, a page's QR code
    "jinja2",                                   # rendering pages
    "jwt", "cryptography",                      # staff tokens (console routes)
    "boto3", "botocore.session", "botocore.client", "s3transfer", "urllib3", "pynamodb",  # the adapters
    "aws_lambda_powertools.utilities.idempotency",  # a submit with an idempotency key
    "http.client", "urllib.request", "ssl",     # nothing of ours needs them to start
)
NEVER = ("aws_xray_sdk",)


@pytest.fixture(scope="module")
def loaded() -> set[str]:
    """The modules a fresh interpreter holds after `import app`."""
    done = subprocess.run([sys.executable, "-c", "import sys, json, app; print(json.dumps(sorted(sys.modules)))"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", LOADED_AT_FIRST_USE + NEVER)
def test_importing_the_app_leaves_heavy_libraries_for_later(loaded, module):
    assert module not in loaded, f"`import app` loads {module}"


def test_the_check_sees_what_the_app_does_load(loaded):
    assert {"app", "chalice", "chalicelib.bootstrap", "chalicelib.services.commands"} <= loaded


def _package(path: Path, names: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, b"x" * 10)
    return path


NEEDED = ["app.py", "chalicelib/bootstrap.py", "pynamodb/models.py", "pydantic_core/__init__.py",
          "cryptography/__init__.py", "PIL/Image.py"]


def test_the_package_is_trimmed_of_the_sdk_and_what_is_never_loaded(tmp_path):
    path = _package(tmp_path / "deployment.zip", [
        *NEEDED, "boto3/__init__.py", "botocore/data/s3/service-2.json.gz", "botocore-1.44.8.dist-info/METADATA",
        "s3transfer/manager.py", "urllib3/__init__.py", "dateutil/tz.py", "six.py", "PIL/_avif.cpython-311.so",
        "pillow.libs/libavif-0b1c.so.16", "reportlab/fonts/Vera.ttf", "reportlab/pdfgen/canvas.py",
        "chalicelib/__pycache__/app.cpython-311.pyc", "jmespath/__init__.py", "jinja2/tests.py"])
    kept, dropped = trim(path)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
    assert names == {*NEEDED, "reportlab/pdfgen/canvas.py", "jmespath/__init__.py", "jinja2/tests.py"}
    assert (kept, dropped) == (len(names), 11)
    assert problems(path) == []
    assert trim(path) == (len(names), 0)  # once is enough


def test_the_package_check_refuses_a_copy_of_the_sdk_a_large_zip_and_a_missing_part(tmp_path):
    path = _package(tmp_path / "deployment.zip", [*NEEDED[1:], "botocore/__init__.py"])
    found = problems(path, max_mb=0.0)
    assert any("over 0 MB" in p for p in found)
    assert any("copy of the SDK (botocore)" in p for p in found)
    assert any("lacks app.py" in p for p in found)

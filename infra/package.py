"""The Lambda code package as deployed: the zip `chalice package` makes, less what the function
never loads or the runtime already has, then checked (`make package` runs this).

    python -m infra.package build/package/deployment.zip

Left out, and why:
  boto3, botocore, s3transfer   the SDK: every Lambda Python runtime ships it and AWS keeps it
                                updated (pynamodb 6 needs botocore >= 1.12.54, Powertools' SDK extra
                                boto3 >= 1.34.32; the code calls no API newer than those). A second
                                copy was 2,100 files and over half the zip.
  urllib3, dateutil, six        the SDK's own dependencies, shipped with it in the runtime: a copy
                                here would stand in front of the runtime's and pair a botocore with
                                versions it was not released with.
  Pillow's AVIF codec           photos are JPEG, PNG or WebP (render/photos.py); Pillow reads AVIF
                                only when its codec loads, and says it is unsupported otherwise.
  Pillow's colour management,   never used (no ICC conversion, no Tk).
  Tk binding
  ReportLab's fonts/            sample Type 1 and TrueType fonts: posters use Helvetica (metrics in
                                ReportLab's code, not embedded) and the reader's CID font.
  Powertools' Swagger UI        assets of Powertools' own HTTP router; the API is Chalice's.
  __pycache__, *.pyc, *.pyi,    compiled or typing-only files and packages' tests.
  tests/
Kept: everything the app imports (Chalice's runtime part, pynamodb, Powertools, pydantic, Jinja2,
qrcode, Pillow, ReportLab, PyJWT with cryptography, the city calendar) and the .dist-info
metadata packages read about themselves.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

MAX_MB = 15.0
LEAVE_OUT = re.compile("|".join([
    r"^(boto3|botocore|s3transfer|urllib3|dateutil)/",
    r"^(boto3|botocore|s3transfer|urllib3|python_dateutil|six)-[^/]+\.dist-info/",
    r"^six\.py$",
    r"^PIL/_avif\.", r"^pillow\.libs/libavif-",
    r"^PIL/_imagingcms\.", r"^pillow\.libs/liblcms2-", r"^PIL/_imagingtk\.",
    r"^reportlab/fonts/",
    r"^aws_lambda_powertools/event_handler/openapi/swagger_ui/.*\.(js|css)$",
    r"(^|/)__pycache__/", r"\.py[co]$", r"\.pyi$", r"^[^/]+/tests?/",
]))
SDK = ("boto3/", "botocore/", "s3transfer/")


def trim(path: Path) -> tuple[int, int]:
    """Rewrite the zip without what LEAVE_OUT names (compressed as tightly as deflate goes);
    answers (files kept, files left out). Running it again changes nothing."""
    kept = dropped = 0
    staged = path.with_suffix(".trimmed.zip")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(staged, "w", zipfile.ZIP_DEFLATED,
                                                          compresslevel=9) as target:
        for info in source.infolist():
            if LEAVE_OUT.search(info.filename):
                dropped += 1
                continue
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.external_attr, copy.create_system = info.external_attr, info.create_system
            copy.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(copy, source.read(info), compresslevel=9)
            kept += 1
    staged.replace(path)
    return kept, dropped


def problems(path: Path, max_mb: float = MAX_MB) -> list[str]:
    """What is wrong with a package: too large, a copy of the SDK, or the app missing."""
    found = []
    size = path.stat().st_size / 1e6
    if size > max_mb:
        found.append(f"{path} is {size:.1f} MB, over {max_mb:.0f} MB")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    sdk = sorted({n.split("/", 1)[0] for n in names if n.startswith(SDK)})
    if sdk:
        found.append(f"{path} holds a copy of the SDK ({', '.join(sdk)}): the runtime has it")
    for needed in ("app.py", "chalicelib/bootstrap.py", "pynamodb/", "pydantic_core/", "cryptography/", "PIL/"):
        if not any(n == needed or n.startswith(needed) for n in names):
            found.append(f"{path} lacks {needed}")
    return found


# Run from the unpacked package with nothing but the standard library and the SDK beside it (as the
# runtime has them): the app imports, and each part that loads a library on first use still finds it.
SMOKE = """
import io, json, time
import app
from chalicelib.render import photos, posters, qr
from chalicelib.services.publish import environment
from PIL import Image
for kind in ("JPEG", "PNG", "WEBP"):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, format=kind)
    assert photos.clean(out.getvalue()).small
poster = posters.Poster(place="人民公园", district="清河区", url="https://site.example/q/qh01.html",
                        instruction="扫码反映", instruction_en="Scan", lookup="查询", code="qh01")
assert posters.pdf([poster]).startswith(b"%PDF") and "<svg" in posters.svg(poster) and "<svg" in qr.svg("https://x")
environment().get_template("site/ticket.html")
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
token = jwt.encode({"sub": "s", "exp": int(time.time()) + 60}, key, algorithm="RS256")
assert jwt.decode(token, key.public_key(), algorithms=["RS256"])["sub"] == "s"
from chalicelib.adapters import dynamo
import boto3
dynamo.models_for("t", "us-east-1")
print("the package runs")
"""
RUNTIME_SDK = ("boto3", "botocore", "s3transfer", "urllib3", "dateutil", "six.py", "jmespath")


def smoke(path: Path) -> str:
    """Unpack the package and run SMOKE in it with the SDK beside it, as in the runtime (the SDK is
    taken from this interpreter's own site-packages); answers its output, raises if it fails."""
    import boto3

    site = Path(boto3.__file__).parents[1]
    with tempfile.TemporaryDirectory(prefix="package-") as scratch:
        task, sdk = Path(scratch, "task"), Path(scratch, "sdk")
        with zipfile.ZipFile(path) as archive:
            archive.extractall(task)
        sdk.mkdir()
        for name in RUNTIME_SDK:
            (sdk / name).symlink_to(site / name)
        code = f"import sys; sys.path[:0] = [{str(task)!r}, {str(sdk)!r}]\n" + SMOKE
        env = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "us-east-1",
               "POWERTOOLS_LOG_LEVEL": "ERROR"}
        done = subprocess.run([sys.executable, "-I", "-S", "-c", code], cwd=task, env=env,
                              capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"the package does not run on its own:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


def main(argv: list[str]) -> int:
    path = Path(argv[0] if argv else "build/package/deployment.zip")
    before = path.stat().st_size / 1e6
    kept, dropped = trim(path)
    after = path.stat().st_size / 1e6
    print(f"{path}: {before:.1f} MB -> {after:.1f} MB ({kept} files kept, {dropped} left out; "
          f"the SDK comes from the Lambda runtime)")
    wrong = problems(path)
    for problem in wrong:
        print(problem, file=sys.stderr)
    if wrong:
        return 1
    print(smoke(path))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

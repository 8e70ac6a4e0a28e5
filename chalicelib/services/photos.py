"""Photos of a case: one-time upload forms, cleaning what was uploaded before a case names it,
publishing what was approved, and the links staff see."""
from __future__ import annotations

import uuid
from typing import Any

from ..domain.catalog import name_in
from ..domain.errors import InvalidInput
from ..domain.model import Ticket
from ..i18n import DEFAULT, Messages
from ..render.photos import CONTENT_TYPES, NotAPhoto, clean
from .context import Deps
from .ports import UploadForm
from .publish import photo_key, public_photos

HEIC = frozenset({"image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence"})


def new_upload(deps: Deps, content_type: str, size: int, locale: str = DEFAULT) -> UploadForm:
    """A form for one photo, refused with a reason the citizen can act on."""
    t, policy = Messages(locale), deps.catalog().policy
    if content_type in HEIC:
        raise InvalidInput(t("intake.js.heic"), field="content_type", worded=True)
    if content_type not in CONTENT_TYPES:
        raise InvalidInput(t("intake.js.type"), field="content_type", worded=True)
    if size > policy.photo_max_mb * 1024 * 1024:
        raise InvalidInput(t("intake.js.size", mb=policy.photo_max_mb), field="size", worded=True)
    return deps.photos.upload_form(uuid.uuid4().hex, content_type, policy.photo_max_mb * 1024 * 1024)


def take(deps: Deps, uploads: tuple[str, ...]) -> tuple[str, ...]:
    """Clean each upload (no metadata, resized) into the photo a case names; safe to repeat.
    A missing, expired, oversized or unreadable upload refuses the whole request."""
    max_bytes = deps.catalog().policy.photo_max_mb * 1024 * 1024
    names = []
    for upload in dict.fromkeys(uploads):
        name = f"{upload}.jpg"
        if not deps.photos.kept(name):
            data = deps.photos.read_upload(upload, max_bytes)
            if data is None:
                raise InvalidInput(f"photos: upload {upload} is missing, expired or larger than allowed",
                                   field="photos")
            try:
                photo = clean(data)
            except NotAPhoto:
                raise InvalidInput(f"photos: upload {upload} is not a JPEG, PNG or WebP image",
                                   field="photos.format") from None
            deps.photos.keep(name, photo.full, photo.small)
            deps.photos.forget_upload(upload)  # the original, GPS and all, is not kept
        names.append(name)
    return tuple(names)


def publish_changes(old: Ticket | None, new: Ticket, deps: Deps) -> None:
    """Approved photos appear beside the case page; withdrawn ones disappear (an effect of a
    stored change: running it twice copies or deletes the same objects again)."""
    before = set(public_photos(old)) if old else set()
    now = set(public_photos(new))
    for name in sorted(now - before):
        deps.photos.publish(name, photo_key(new.number, name), photo_key(new.number, name, small=True))
    for name in sorted(before - now):
        deps.photos.withdraw(photo_key(new.number, name), photo_key(new.number, name, small=True))


def for_staff(ticket: Ticket, deps: Deps, locale: str = DEFAULT) -> list[dict[str, Any]]:
    """Every photo of a case, whatever its state, with short-lived private links."""
    catalog, t = deps.catalog(), Messages(locale)

    def by_name(by: str) -> str:
        department = catalog.departments.get(by)
        return name_in(department, locale) if department else t.get(f"actor.{by}", by)

    return [{"name": p.name, "by": p.by, "by_name": by_name(p.by), "state": p.state.value,
             "at": p.at.isoformat(), "url": deps.photos.staff_url(p.name),
             "small_url": deps.photos.staff_url(p.name, small=True)} for p in ticket.photos]

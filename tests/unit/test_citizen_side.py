"""The citizen's side against in-memory fakes: photos cleaned and published only once approved,
confidential cases, additions through the tracking link, and receipts that say what happened."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from chalicelib.domain.errors import Forbidden, InvalidInput, InvalidTransition, NotYourTicket
from chalicelib.domain.model import PhotoState, Status
from chalicelib.render.photos import NotAPhoto, clean
from chalicelib.services import actions, photos, steps, tickets
from chalicelib.services.commands import AcceptTicket, AddInformation, ReplyTicket, ReviewPhoto, SubmitTicket
from chalicelib.services.publish import public_view, receipt_page, ticket_page
from tests.builders import submission
from tests.fakes import World, make_world

UPLOAD_A, UPLOAD_B = "a" * 32, "b" * 32


def jpeg_with_gps(size: tuple[int, int] = (2400, 1800)) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotated
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (33.0, 35.0, 0.0), "E", (119.0, 1.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def world() -> World:
    return make_world()


def file_case(world: World, **overrides: object):
    receipt = tickets.submit(SubmitTicket.parse(submission(**overrides)), world.deps)
    return receipt, world.deps.tickets.by_number(receipt.number)


# --- photos -----------------------------------------------------------------------------------
def test_a_cleaned_photo_keeps_no_metadata_is_upright_and_resized():
    original = jpeg_with_gps()
    assert b"PhoneMaker" in original
    photo = clean(original)
    for data, side in ((photo.full, 1600), (photo.small, 480)):
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG" and max(image.size) == side
        assert image.size[1] > image.size[0]  # turned upright by its orientation tag
        assert not image.getexif() and "exif" not in image.info and b"PhoneMaker" not in data


@pytest.mark.parametrize("data", [b"not an image", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64, b"%PDF-1.4 ..."])
def test_what_is_not_a_jpeg_png_or_webp_is_refused(data):
    with pytest.raises(NotAPhoto):
        clean(data)


@pytest.mark.parametrize("content_type, size, word", [("image/heic", 1000, "HEIC"), ("application/pdf", 1000, "JPEG"),
                                                      ("image/jpeg", 9 * 1024 * 1024, "8 MB")])
def test_an_upload_form_is_refused_with_a_reason_the_citizen_can_act_on(world, content_type, size, word):
    with pytest.raises(InvalidInput) as refused:
        photos.new_upload(world.deps, content_type, size)
    assert word in refused.value.message
    assert world.photos.forms == []


def test_an_upload_form_is_limited_to_its_type_and_size(world):
    form = photos.new_upload(world.deps, "image/jpeg", 3_000_000)
    assert world.photos.forms == [(form.upload, "image/jpeg", 8 * 1024 * 1024)]


def test_a_citizen_photo_is_seen_by_staff_at_once_and_published_only_once_approved(world):
    world.photos.uploads[UPLOAD_A] = jpeg_with_gps()
    receipt, ticket = file_case(world, photos=[UPLOAD_A])
    world.deliver()
    name = f"{UPLOAD_A}.jpg"
    assert [p.state for p in ticket.photos] == [PhotoState.PENDING]
    assert photos.for_staff(ticket, world.deps)[0]["url"].startswith("http://uploads.test/photos/")
    page = world.site.text(f"t/{receipt.number}.html")
    assert name not in page and public_view(ticket, world.deps)["photos"] == []
    assert not [k for k in world.site.pages if k.startswith("p/")]

    steps.screen(ticket.id, world.deps)
    steps.dispatch(ticket.id, world.deps)
    with pytest.raises(NotYourTicket):  # another department may not decide
        actions.review_photo(receipt.number, name, ReviewPhoto(public=True), "west-city", world.deps, "west-city")
    actions.review_photo(receipt.number, name, ReviewPhoto(public=True), "east-city", world.deps, "east-city")
    world.deliver()
    public = world.site.pages[f"p/{receipt.number}/{name}"]
    assert b"PhoneMaker" not in public and not Image.open(io.BytesIO(public)).getexif()
    assert f"p/{receipt.number}/{UPLOAD_A}-s.jpg" in world.site.text(f"t/{receipt.number}.html")

    actions.review_photo(receipt.number, name, ReviewPhoto(public=False), "center", world.deps)  # a dispatcher
    world.deliver()
    assert f"p/{receipt.number}/{name}" not in world.site.pages
    assert name not in world.site.text(f"t/{receipt.number}.html")


def test_a_missing_or_broken_upload_files_nothing(world):
    with pytest.raises(InvalidInput) as missing:
        file_case(world, photos=[UPLOAD_A])
    assert missing.value.field == "photos"
    world.photos.uploads[UPLOAD_B] = b"\x00\x00\x00\x18ftypheic"
    with pytest.raises(InvalidInput) as broken:
        file_case(world, photos=[UPLOAD_B])
    assert broken.value.field == "photos.format"
    assert world.tickets.changes == []


def test_a_reply_may_carry_photos_which_are_public_at_once(world):
    world.photos.uploads[UPLOAD_B] = jpeg_with_gps((800, 600))
    receipt, ticket = file_case(world)
    steps.screen(ticket.id, world.deps)
    steps.dispatch(ticket.id, world.deps)
    actions.accept(receipt.number, "east-city", AcceptTicket(), world.deps)
    actions.reply(receipt.number, "east-city", ReplyTicket(text="已修复", photos=(UPLOAD_B,)), world.deps)
    world.deliver()
    assert f"p/{receipt.number}/{UPLOAD_B}.jpg" in world.site.pages


# --- confidential --------------------------------------------------------------------------
def test_a_confidential_case_publishes_number_category_status_department_and_dates_only(world):
    world.photos.uploads[UPLOAD_A] = jpeg_with_gps((600, 400))
    receipt, ticket = file_case(world, description="我家楼下的棋牌室每晚噪音扰民，我是3单元的住户", confidential=True,
                                photos=[UPLOAD_A])
    steps.screen(ticket.id, world.deps)
    steps.dispatch(ticket.id, world.deps)
    name = f"{UPLOAD_A}.jpg"
    actions.review_photo(receipt.number, name, ReviewPhoto(public=True), "center", world.deps)
    world.deliver()
    for key in (f"t/{receipt.number}.html", f"en/t/{receipt.number}.html"):  # the test city has one name
        page = world.site.text(key)
        assert "棋牌室" not in page and name not in page and "3单元" not in page
        assert receipt.number in page and "东城区城市管理局" in page
    view = public_view(world.deps.tickets.get(ticket.id), world.deps)
    assert view["description"] is None and view["photos"] == [] and view["confidential"] is True
    assert view["location"] is None and view["location_name"] is None
    assert all(e["note"] == "" for e in view["events"])
    assert not [k for k in world.site.pages if k.startswith("p/")]
    staff = public_view(world.deps.tickets.get(ticket.id), world.deps, staff=True)
    assert "棋牌室" in staff["description"]
    assert world.counters.total("dispatched#east-city", "2026-11") == 1  # the rates still count it


# --- additions through the tracking link --------------------------------------------------
def test_the_tracking_link_adds_information_and_photos_while_the_case_is_open(world):
    receipt, ticket = file_case(world)
    secret = receipt.tracking.split("#k=")[1]
    world.photos.uploads[UPLOAD_A] = jpeg_with_gps((600, 400))
    with pytest.raises(Forbidden):
        actions.add_information(receipt.number, AddInformation(text="补充", secret="wrong"), world.deps)
    assert world.photos.kept_photos == {}  # nothing processed for a wrong link
    added = actions.add_information(receipt.number, AddInformation(text="晚上八点后最明显", photos=(UPLOAD_A,),
                                                                   secret=secret), world.deps)
    assert added.events[-1].kind == "added" and [p.name for p in added.photos] == [f"{UPLOAD_A}.jpg"]
    again = actions.add_information(receipt.number, AddInformation(text="晚上八点后最明显", photos=(UPLOAD_A,),
                                                                   secret=secret), world.deps)
    assert [e.kind for e in again.events].count("added") == 1  # a resent request adds nothing
    world.deliver()
    assert "晚上八点后最明显" in world.site.text(f"t/{receipt.number}.html")


def test_nothing_can_be_added_to_a_finished_case(world):
    receipt, ticket = file_case(world, description="啊啊啊啊")
    steps.screen(ticket.id, world.deps)
    with pytest.raises(InvalidTransition):
        actions.add_information(receipt.number, AddInformation(text="补充", secret=receipt.tracking.split("#k=")[1]),
                                world.deps)


# --- receipts ----------------------------------------------------------------------------------
def receipt_of(world: World, number: str, sms: bool = False) -> str:
    return receipt_page(world.deps.tickets.by_number(number), world.deps, "zh-CN", None, sms)


def test_the_receipt_says_what_happened(world):
    receipt, ticket = file_case(world)
    page = receipt_of(world, receipt.number)
    assert 'data-state="processing"' in page and 'http-equiv="refresh"' in page
    steps.screen(ticket.id, world.deps)
    steps.dispatch(ticket.id, world.deps)
    page = receipt_of(world, receipt.number, sms=True)
    assert 'data-state="dispatched"' in page and "东城区城市管理局" in page and "短信" in page
    assert 'http-equiv="refresh"' not in page and receipt.number in page and "<svg" in page


def test_a_screened_out_case_gets_the_reason_and_what_to_do_instead(world):
    receipt, ticket = file_case(world, description="哈哈哈哈")
    steps.screen(ticket.id, world.deps)
    page = receipt_of(world, receipt.number)
    assert 'data-state="invalid"' in page and "内容无法识别" in page and "12345" in page
    assert "提交成功" not in page and "没有留手机号" in page
    assert world.deps.tickets.get(ticket.id).status is Status.INVALID


def test_a_merged_case_names_and_links_the_case_it_joined(world):
    first, first_ticket = file_case(world, description="人民公园东门路灯坏了好几盏")
    steps.screen(first_ticket.id, world.deps)
    steps.dispatch(first_ticket.id, world.deps)
    world.deliver()  # the stream lists it at its place: the duplicate check finds it there
    second, ticket = file_case(world, description="人民公园东门路灯坏了")
    steps.screen(ticket.id, world.deps)
    page = receipt_of(world, second.number)
    assert 'data-state="merged"' in page and f"/t/{first.number}.html" in page and first.number in page


def test_an_english_case_is_answered_in_english(world):
    receipt, ticket = file_case(world, locale="en", phone="13812345678")
    assert receipt.page.endswith(f"/en/t/{receipt.number}.html") and receipt.sms
    steps.screen(ticket.id, world.deps)
    assert any("Your report was received" in text for text in world.sms.to("13812345678"))
    page = ticket_page(world.deps.tickets.get(ticket.id), world.deps.catalog(), world.deps, "en")
    assert 'lang="en"' in page and "Accepted by the platform" in page

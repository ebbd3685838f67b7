"""A venue scans a SMART Health Card with the phone's camera on the public verify page: Chromium is
given a fake camera whose video shows the QR code of a real test vector, the page reads it (with
the vendored jsQR: Chromium on Linux has no BarcodeDetector) and the card is checked as a pasted one
is. The camera stops once a code is read and when asked; a QR code that is not a card, a refused
camera and a device without one are each said so, and paste still works; without JavaScript the
page is the paste and upload form it always was."""

import json
import shutil

import pytest
from playwright.sync_api import expect

from cvms.health_cards.issue import qr_digits
from cvms.health_cards.tests.conftest import EXAMPLE_ISSUER, EXAMPLE_JWKS, VECTORS
from tests.browser.conftest import CHROMIUM_ARGS, PHONE, assert_accessible, assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VALID_FILE = VECTORS / "valid" / "test-example-00-e-file-multi-jws.smart-health-card"
FRAME = 640  # pixels a side of the fake camera's square video

#: Keeps every camera track the page opens, to see that it was stopped.
KEEP_TRACKS = """
window.cameraTracks = [];
const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = c => open(c).then(s => { window.cameraTracks.push(...s.getTracks()); return s; });
"""

#: A BarcodeDetector as a phone's browser has one, that sees the text READ in every frame.
PHONE_DETECTOR = """
window.BarcodeDetector = class {
  static getSupportedFormats() { return Promise.resolve(["qr_code", "ean_13"]); }
  detect(video) { return Promise.resolve(video.videoWidth ? [{format: "qr_code", rawValue: READ}] : []); }
};
"""


@pytest.fixture
def example_issuer_trusted(settings):
    settings.CVMS_SHC_TRUSTED_ISSUERS = json.dumps({EXAMPLE_ISSUER: str(EXAMPLE_JWKS)})


def _vector_jws() -> str:
    return json.loads(VALID_FILE.read_text())["verifiableCredential"][0]


def write_y4m(path, matrix, *, frames: int = 2) -> None:
    """A YUV4MPEG2 video of ``matrix`` (rows of 1 for dark modules) in black on white, centred in
    a ``FRAME`` square with a white border: what Chromium plays as a fake camera."""
    size = len(matrix)
    scale = (FRAME - 40) // size
    offset = (FRAME - size * scale) // 2
    luma = bytearray(b"\xff" * FRAME * FRAME)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for line in range(offset + y * scale, offset + (y + 1) * scale):
                    start = line * FRAME + offset + x * scale
                    luma[start:start + scale] = b"\x00" * scale
    chroma = b"\x80" * (FRAME // 2) * (FRAME // 2) * 2
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{FRAME} H{FRAME} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + bytes(luma) + chroma)


def _video_of(tmp_path_factory, qr):
    path = tmp_path_factory.mktemp("camera") / "qr.y4m"
    write_y4m(path, [list(row) for row in qr.matrix])
    return path


def _launch_with_camera(browser, video):
    """A second Chromium of the session's Playwright, whose camera plays ``video``."""
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"]
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    return browser.browser_type.launch(executable_path=executable, headless=True, args=args)


@pytest.fixture(scope="module")
def browser_with_camera(browser, tmp_path_factory):
    """Its camera shows the QR code of the test vector's first card, as the card's issuer made it."""
    import segno

    with_camera = _launch_with_camera(browser, _video_of(tmp_path_factory, segno.make(
        ["shc:/", qr_digits(_vector_jws())], error="l", boost_error=False)))
    yield with_camera
    with_camera.close()


@pytest.fixture(scope="module")
def browser_seeing_a_web_address(browser, tmp_path_factory):
    import segno

    with_camera = _launch_with_camera(browser, _video_of(tmp_path_factory, segno.make("https://example.com/menu")))
    yield with_camera
    with_camera.close()


def _phone(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport=PHONE, **options)
    context.add_init_script(KEEP_TRACKS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_a_venue_scans_a_card_with_the_phone_camera_and_sees_it_verified(browser_with_camera, live_server,
                                                                         example_issuer_trusted):
    context, page = _phone(browser_with_camera, live_server, permissions=["camera"])
    page.goto("/recipient/verify/")
    assert_accessible(page)
    assert_fits(page)
    page.get_by_role("button", name="Scan with camera").click()
    page.get_by_role("heading", name="Valid card").wait_for()
    assert "John B. Anyperson" in page.content() and "0000007" in page.get_by_role("table").inner_text()
    assert page.get_by_label("Health card code").input_value().startswith("shc:/")
    assert_accessible(page)
    assert_fits(page, "a card read by the camera")
    context.close()


def test_the_browsers_own_barcode_detector_reads_the_code_where_it_can(browser_with_camera, live_server,
                                                                        example_issuer_trusted):
    """Chromium on Linux has no BarcodeDetector: one that answers as a phone's would stands in, to
    see that the page uses it (and never loads jsQR) and sends what it read."""
    context, page = _phone(browser_with_camera, live_server, permissions=["camera"])
    text = "shc:/" + qr_digits(_vector_jws())
    page.add_init_script(PHONE_DETECTOR.replace("READ", json.dumps(text)))
    decoders = []
    page.on("request", lambda request: decoders.append(request.url) if "jsqr" in request.url.lower() else None)
    page.goto("/recipient/verify/")
    page.get_by_role("button", name="Scan with camera").click()
    page.get_by_role("heading", name="Valid card").wait_for()
    assert "John B. Anyperson" in page.content() and decoders == []
    context.close()


def test_the_camera_shows_and_stops_when_asked(browser_with_camera, live_server, example_issuer_trusted):
    context, page = _phone(browser_with_camera, live_server, permissions=["camera"])
    page.goto("/recipient/verify/")
    page.evaluate("document.querySelector('[data-verify-form]').addEventListener('submit', e => e.preventDefault())")
    page.get_by_role("button", name="Scan with camera").click()
    page.wait_for_function("window.cameraTracks.length > 0")
    page.get_by_role("status").filter(has_text="QR code read").wait_for()  # read: the camera stopped itself
    assert page.evaluate("window.cameraTracks.every(t => t.readyState === 'ended')")
    assert page.locator("video").is_hidden()
    context.close()


def test_the_stop_button_turns_the_camera_off(browser_seeing_a_web_address, live_server):
    context, page = _phone(browser_seeing_a_web_address, live_server, permissions=["camera"])
    page.goto("/recipient/verify/")
    page.get_by_role("button", name="Scan with camera").click()
    page.get_by_role("status").filter(has_text="That QR code is not a SMART Health Card").wait_for()
    assert page.evaluate("window.cameraTracks.every(t => t.readyState === 'live')")
    page.get_by_role("button", name="Stop the camera").click()
    assert page.get_by_role("status").inner_text() == "The camera is off."
    assert page.evaluate("window.cameraTracks.every(t => t.readyState === 'ended')")
    assert page.get_by_role("button", name="Scan with camera").is_visible()
    context.close()


def test_a_qr_code_that_is_not_a_health_card_is_named_and_nothing_is_sent(browser_seeing_a_web_address,
                                                                          live_server):
    context, page = _phone(browser_seeing_a_web_address, live_server, permissions=["camera"])
    page.goto("/recipient/verify/")
    page.get_by_role("button", name="Scan with camera").click()
    page.get_by_role("status").filter(has_text="That QR code is not a SMART Health Card").wait_for()
    assert page.get_by_label("Health card code").input_value() == ""
    assert page.get_by_role("heading", name="Result").count() == 0
    context.close()


def test_a_reader_that_cannot_load_says_the_camera_cannot_scan_and_turns_it_off(browser_with_camera, live_server):
    context, page = _phone(browser_with_camera, live_server, permissions=["camera"])
    page.route("**/vendor/jsqr/*", lambda route: route.abort())
    page.goto("/recipient/verify/")
    page.get_by_role("button", name="Scan with camera").click()
    page.get_by_role("status").filter(has_text="The camera could not be started").wait_for()
    assert page.evaluate("window.cameraTracks.length > 0 && window.cameraTracks.every(t => t.readyState === 'ended')")
    context.close()


def test_a_refused_camera_says_so_and_pasting_still_works(browser_with_camera, live_server, example_issuer_trusted):
    context, page = _phone(browser_with_camera, live_server)
    page.goto("/recipient/verify/")
    page.get_by_role("button", name="Scan with camera").click()
    page.get_by_role("status").filter(has_text="Camera access was refused").wait_for()
    assert_accessible(page)
    page.get_by_label("Health card code").fill("shc:/" + qr_digits(_vector_jws()))
    page.get_by_role("button", name="Check the card").click()
    expect(page.get_by_role("heading", name="Valid card")).to_be_visible()
    context.close()


def test_a_device_without_a_camera_says_so(browser, live_server):
    context, page = _phone(browser, live_server, permissions=["camera"])
    page.goto("/recipient/verify/")
    page.get_by_role("button", name="Scan with camera").click()
    page.get_by_role("status").filter(has_text="No camera was found on this device").wait_for()
    assert page.get_by_role("button", name="Scan with camera").is_enabled()
    context.close()


def test_without_javascript_the_page_offers_paste_and_upload_only(browser, live_server, example_issuer_trusted):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto("/recipient/verify/")
    assert page.get_by_role("button", name="Scan with camera").count() == 0
    page.get_by_label("Health card code").fill("shc:/" + qr_digits(_vector_jws()))
    page.get_by_role("button", name="Check the card").click()
    expect(page.get_by_role("heading", name="Valid card")).to_be_visible()
    context.close()

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Attachments are written to a folder of this test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def pdf(name="letter.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def provider_case(tenant_a):
    """A case tenant A's manager filed for their organization."""
    from helpdesk.services import case_open

    return case_open(actor=tenant_a.manager, channel="provider", request_type="inventory",
                     description="Our lot LOT-1 shows the wrong count.", provider_organization="Health System A")

import pytest

from cvms.appointments.tests.helpers import open_schedule


@pytest.fixture
def clinic(tenant_a):
    """Tenant A's first location, open for online booking tomorrow 9 to 11 (the mail of setting up
    the tenant is out of the way)."""
    from django.core import mail

    mail.outbox.clear()
    return open_schedule(tenant_a.location, actor=tenant_a.manager)

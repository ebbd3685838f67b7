import datetime

import factory

from cvms.recipients import choices as c
from cvms.recipients.models import Recipient


class RecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recipient

    first_name = factory.Sequence(lambda n: f"Pat{n}")
    last_name = factory.Faker("last_name")
    date_of_birth = datetime.date(1985, 3, 14)
    email = factory.LazyAttribute(lambda r: f"{r.first_name.lower()}@example.com")
    source = c.RecipientSource.BULK_UPLOAD

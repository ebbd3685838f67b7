"""Demo Vaccines.gov settings: every demo location listed, with hours, a phone, booking and
pre-screening addresses, and a supply level confirmed for each vaccine it has in stock."""

from django.dispatch import receiver
from django.utils import timezone

from cvms.demo.seed import demo_seeded
from cvms.organizations.models import Location
from cvms.vaccines_gov.choices import SupplyLevel
from cvms.vaccines_gov.selectors import product_rows
from cvms.vaccines_gov.services import vaccines_gov_settings_save

WEEKDAY_HOURS = "8:00 AM - 5:00 PM"


@receiver(demo_seeded)
def seed_vaccines_gov_demo(sender, logins, **kwargs):
    locations = list(Location.objects.active().filter(provider_pin__isnull=False))
    rows = product_rows(location_ids=[loc.pk for loc in locations], as_of=timezone.localdate())
    for location in locations:
        vaccines_gov_settings_save(location=location, actor=None, fields={
            "public_display": True, "public_phone": location.phone or "9195550100",
            "web_address": f"https://example.org/vaccines/{location.provider_pin.lower()}",
            "pre_screen_address": "https://example.org/vaccines/pre-screen",
            "sunday_hours": "Closed", "saturday_hours": "9:00 AM - 1:00 PM",
            **{f"{day}_hours": WEEKDAY_HOURS for day in ("monday", "tuesday", "wednesday", "thursday", "friday")},
            "provider_notes": "Free COVID-19 vaccine for everyone 6 months and older.",
            "walkins_accepted": True, "insurance_accepted": True,
        }, products={row.product.pk: {"in_stock": row.doses > 0, "supply_level": SupplyLevel.OVER_48_HOURS}
                     for row in rows.get(location.pk, [])})

from django.core.management.base import BaseCommand

from cvms.inventory.reference import load_vaccine_products


class Command(BaseCommand):
    help = "Load reference data (CDC-coded COVID-19 vaccine products). Safe to run again."

    def handle(self, *args, **options):
        created, updated = load_vaccine_products()
        if options["verbosity"]:
            self.stdout.write(f"Vaccine products: {created} created, {updated} updated.")

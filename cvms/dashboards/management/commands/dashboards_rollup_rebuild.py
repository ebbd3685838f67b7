from django.core.management.base import BaseCommand

from cvms.dashboards.rollups import rollups_rebuild


class Command(BaseCommand):
    help = ("Empty the dashboards' rollups and add every dose on record again. The database keeps them "
            "itself; this is for a restore that bypassed its triggers.")

    def handle(self, *args, **options):
        doses = rollups_rebuild()
        self.stdout.write(f"Dashboard rollups rebuilt: {doses} doses.")

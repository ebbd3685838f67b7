from django.core.management import call_command
from django.core.management.base import BaseCommand

from cvms.demo.seed import DEMO_PASSWORD, seed_demo_everywhere


class Command(BaseCommand):
    help = "Create demo data: a provider with two locations, inventory, recipients, an employer, a local " \
           "health department and a user for every role. Safe to run again."

    def handle(self, *args, **options):
        call_command("load_reference_data", verbosity=0)
        logins = seed_demo_everywhere()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Demo logins (password: {DEMO_PASSWORD}):"))
        width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.email.ljust(width)}  {login.portal.ljust(14)}  {login.role} @ {login.where}")
            if login.dashboard:
                self.stdout.write(f"  {''.ljust(width)}  dashboard: {login.dashboard}")

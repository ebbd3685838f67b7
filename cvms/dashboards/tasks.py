from celery import shared_task

from cvms.dashboards.rollups import rollups_compact


@shared_task(ignore_result=True, max_retries=0)
def compact_dashboard_rollups() -> None:
    """Beat, every minute: fold the dashboards' rollups."""
    rollups_compact()

"""The case counts on the admin index: open cases by status and by request type (two grouped
queries), for who may see cases."""

from django import template
from django.db.models import Count

from helpdesk.models import OPEN_STATUSES, Case, CaseStatus, RequestType

register = template.Library()


@register.inclusion_tag("helpdesk/admin/case_counts.html", takes_context=True)
def helpdesk_case_counts(context):
    request = context.get("request")
    if request is None or not request.user.has_perm("helpdesk.view_case"):
        return {"shown": False}
    by_status = dict(Case.objects.values_list("status").annotate(n=Count("id")).order_by())
    by_type = dict(Case.objects.open().values_list("request_type").annotate(n=Count("id")).order_by())
    return {
        "shown": True,
        "statuses": [(status, status.label, by_status.get(status.value, 0))
                     for status in CaseStatus if status in OPEN_STATUSES or status == CaseStatus.RESOLVED],
        "types": [(kind, kind.label, by_type[kind.value]) for kind in RequestType if by_type.get(kind.value)],
    }

"""The case page's recipient tools in admin: correct the record the case concerns, or remove it,
one form each, through ``helpdesk.case_recipient`` (audited there)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from cvms.core.errors import ServiceError
from cvms.recipients.models import Recipient
from helpdesk.case_recipient import CORRECTABLE, case_recipient_correct, case_recipient_remove
from helpdesk.models import OPEN_STATUSES, Case


class RecipientCorrectionForm(forms.ModelForm):
    class Meta:
        model = Recipient
        fields = CORRECTABLE
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def recipient_tools(case: Case) -> str:
    """Links from the case page to the two tools, while the case is open and concerns a recipient."""
    if case.pk is None or case.recipient_id is None or case.status not in OPEN_STATUSES:
        return "—"
    return format_html('<a href="{}">{}</a> · <a href="{}">{}</a>',
                       reverse("admin:helpdesk_case_recipient_correct", args=[case.pk]), _("Correct this record"),
                       reverse("admin:helpdesk_case_recipient_remove", args=[case.pk]), _("Remove this record"))


class CaseRecipientAdminMixin:
    """For ``CaseAdmin``: the two pages, for who may change cases (the services check the role)."""

    def recipient_urls(self):
        view = self.admin_site.admin_view
        return [path("<int:case_id>/recipient/correct/", view(self.recipient_correct),
                     name="helpdesk_case_recipient_correct"),
                path("<int:case_id>/recipient/remove/", view(self.recipient_remove),
                     name="helpdesk_case_recipient_remove")]

    def _case_for_tools(self, request, case_id) -> Case:
        if not self.has_change_permission(request):
            raise PermissionDenied
        return get_object_or_404(Case.objects.select_related("recipient"), pk=case_id, recipient__isnull=False)

    def _render(self, request, case, template, **context):
        return TemplateResponse(request, f"helpdesk/admin/{template}", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "case": case,
            "recipient": case.recipient, "case_url": reverse("admin:helpdesk_case_change", args=[case.pk]),
            **context})

    def recipient_correct(self, request, case_id):
        case = self._case_for_tools(request, case_id)
        form = RecipientCorrectionForm(request.POST or None, instance=Recipient.objects.get(pk=case.recipient_id))
        if request.method == "POST" and form.is_valid():
            try:
                changed = case_recipient_correct(case=case, actor=request.user,
                                                 fields={name: form.cleaned_data[name] for name in form.changed_data})
            except ServiceError as refusal:
                form.add_error(refusal.field if refusal.field in form.fields else None, str(refusal))
            else:
                self.message_user(request, _("The record was corrected (%(count)d fields).") % {"count": len(changed)},
                                  messages.SUCCESS)
                return redirect("admin:helpdesk_case_change", case.pk)
        return self._render(request, case, "recipient_correct.html", form=form,
                            title=_("Correct the record of %(name)s") % {"name": case.recipient})

    def recipient_remove(self, request, case_id):
        case = self._case_for_tools(request, case_id)
        if request.method == "POST":
            try:
                case_recipient_remove(case=case, actor=request.user)
            except ServiceError as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                self.message_user(request, _("The record was removed."), messages.SUCCESS)
            return redirect("admin:helpdesk_case_change", case.pk)
        return self._render(request, case, "recipient_remove.html",
                            title=_("Remove the record of %(name)s") % {"name": case.recipient})

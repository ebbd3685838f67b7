"""Vaccine groups in admin, for state staff: names, order and criteria are edited here (each save
audited; a change of order or criteria recomputes everyone's group in the background); a group is
opened or closed only by the actions, which call the services (opening one emails its people), so
"being vaccinated now" and "opened at" are read-only."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cvms.core.admin import AuditedAdminMixin, ReadOnlyAdminMixin
from cvms.core.audit import audit_log
from cvms.eligibility.choices import LivingSetting, MedicalCondition
from cvms.eligibility.models import EligibilityAnswers, GroupCriterion, VaccineGroup
from cvms.eligibility.regroup import groups_recompute_request
from cvms.eligibility.services import group_close, group_open
from cvms.recipients.choices import Industry


class CriterionForm(forms.ModelForm):
    industries = forms.MultipleChoiceField(label=_("industries"), choices=Industry.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    conditions = forms.MultipleChoiceField(label=_("medical conditions"), choices=MedicalCondition.choices,
                                           required=False, widget=forms.CheckboxSelectMultiple)
    living_settings = forms.MultipleChoiceField(label=_("living settings"), choices=LivingSetting.choices,
                                                required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = GroupCriterion
        fields = ["min_age", "max_age", "industries", "conditions", "living_settings"]


class CriterionInline(admin.StackedInline):
    model = GroupCriterion
    form = CriterionForm
    extra = 0


@admin.register(VaccineGroup)
class VaccineGroupAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["order", "name_en", "name_es", "is_open", "opened_at"]
    list_display_links = ["order", "name_en"]
    readonly_fields = ["is_open", "opened_at"]
    fields = ["order", "name_en", "name_es", "is_open", "opened_at"]
    inlines = [CriterionInline]
    actions = ["open_groups", "close_groups"]

    def has_delete_permission(self, request, obj=None):
        return False  # people's answers point at groups: close one instead

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for criterion in formset.deleted_objects:
            audit_log(actor=request.user, action="eligibility.criterion.deleted", obj=form.instance,
                      changes={"criterion": criterion.pk})
            criterion.delete()
        for criterion in instances:
            adding = criterion.pk is None
            criterion.save()
            audit_log(actor=request.user, action=f"eligibility.criterion.{'added' if adding else 'changed'}",
                      obj=form.instance, changes={"criterion": criterion.pk, **{
                          name: getattr(criterion, name) for name in CriterionForm.Meta.fields}})
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        changed = [name for name in ("order",) if name in form.changed_data] + [
            "criteria" for formset in formsets if formset.has_changed()]
        if changed:
            groups_recompute_request(actor=request.user, group=form.instance, reason=", ".join(changed))

    def has_open_permission(self, request):
        return request.user.has_perm("eligibility.change_vaccinegroup")

    @admin.action(description=_("Open the selected groups for vaccination (emails their people)"),
                  permissions=["open"])
    def open_groups(self, request, queryset):
        opened = sum(group_open(group=group, actor=request.user) for group in queryset)
        self.message_user(request, ngettext("%(count)s group opened.", "%(count)s groups opened.", opened)
                          % {"count": opened}, messages.SUCCESS)

    @admin.action(description=_("Close the selected groups"), permissions=["open"])
    def close_groups(self, request, queryset):
        closed = sum(group_close(group=group, actor=request.user) for group in queryset)
        self.message_user(request, ngettext("%(count)s group closed.", "%(count)s groups closed.", closed)
                          % {"count": closed}, messages.SUCCESS)


@admin.register(EligibilityAnswers)
class EligibilityAnswersAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["recipient", "group", "industry", "living_setting", "answered_at"]
    list_filter = ["group"]
    list_select_related = ["recipient", "group"]
    raw_id_fields = ["recipient"]

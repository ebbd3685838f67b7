"""Admin is a front end like the portals: what it writes goes through the services and is audited.

The pieces every app's admin shares: ``ReadOnlyAdminMixin`` (shown, never written), ``ServiceAdminMixin``
(a change is handed to the app's service), ``AuditedAdminMixin`` (plain model writes, logged), and
``LargeTablePaginator`` with ``DistinctValuesFilter`` and ``RecentFilter`` for changelists over
tables of millions of rows: none of them counts or scans a whole table.
"""

import datetime
import json
from functools import cached_property

from django import forms
from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cvms.core.audit import audit_log
from cvms.core.downtime import (
    DOWNTIME_FIELDS,
    DowntimeInvalid,
    check_downtime_times,
    downtime_notice_change,
    downtime_notice_create,
    downtime_notice_delete,
)
from cvms.core.errors import ServiceError
from cvms.core.forms import add_refusal
from cvms.core.models import AuditLog, DowntimeNotice
from cvms.core.phones import digits_only


class ReadOnlyAdminMixin:
    """Shown in admin, never written there: a service or the database owns every change."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PhoneDigitsMixin:
    """A phone typed as people write it ("(919) 555-0100") is stored as its digits, as the
    services store it, before the database's digits-only rule is checked."""

    def clean_phone(self):
        return digits_only(self.cleaned_data["phone"])


class ServiceAdminMixin:
    """Admin changes go through the app's service, which checks and audits them.

    ``change_through_service`` receives the row as stored (the form has already changed the one in
    memory) and only the fields the form changed. Nothing is added or deleted here: rows are
    created by their workflows (enrollment, uploads) and removed by the services' own admin
    actions, where there are any.
    """

    def change_through_service(self, obj, *, actor, fields: dict) -> None:
        raise NotImplementedError

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "phone" in form.base_fields:
            form = type(form.__name__, (PhoneDigitsMixin, form), {})
        return form

    def save_model(self, request, obj, form, change):
        stored = type(obj)._default_manager.get(pk=obj.pk)
        self.change_through_service(stored, actor=request.user,
                                    fields={name: form.cleaned_data[name] for name in form.changed_data})


class RefusalShownMixin:
    """Put before ``ServiceAdminMixin``: a service's refusal is shown on the object's page again,
    as an error, not as a success."""

    def save_model(self, request, obj, form, change):
        try:
            super().save_model(request, obj, form, change)
        except ServiceError as refusal:
            request.refusal = refusal

    def response_change(self, request, obj):
        if refusal := getattr(request, "refusal", None):
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


class AuditedAdminMixin:
    """Admin writes with no service of their own are state changes too: each save and delete is
    logged with the changed fields."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        fields = form.changed_data if change else [f for f in form.fields if form.cleaned_data.get(f) not in (None, "")]
        audit_log(
            actor=request.user,
            action=f"admin.{obj._meta.label_lower}.{'changed' if change else 'added'}",
            obj=obj,
            changes={name: form.cleaned_data.get(name) for name in fields},
        )

    def delete_model(self, request, obj):
        audit_log(actor=request.user, action=f"admin.{obj._meta.label_lower}.deleted", obj=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        """The "delete selected" action: each row logged, as one by one."""
        for obj in queryset:
            audit_log(actor=request.user, action=f"admin.{obj._meta.label_lower}.deleted", obj=obj)
        super().delete_queryset(request, queryset)


class LargeTablePaginator(Paginator):
    """Never counts a whole large table: the count stops at ``CAP`` rows, and past it (or for a
    table with no filter at all) the number is PostgreSQL's own estimate."""

    CAP = 10_000

    @cached_property
    def count(self):
        query = self.object_list
        if not query.query.where:
            estimate = _table_estimate(query.model._meta.db_table)
            if estimate > self.CAP:
                return estimate
        counted = query.order_by()[:self.CAP + 1].count()
        return counted if counted <= self.CAP else max(_plan_estimate(query), counted)


def _table_estimate(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
    return max(int(row[0]), 0) if row else 0


def _plan_estimate(query) -> int:
    sql, params = query.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class DistinctValuesFilter(admin.SimpleListFilter):
    """Filter by the values a column holds, found by walking its index from one value to the next
    (one index probe per distinct value) instead of reading every row as Django's own filter does.
    The column needs a B-tree index. Subclasses set ``title``, ``parameter_name`` and ``column``."""

    column = ""
    limit = 200

    def lookups(self, request, model_admin):
        table, column = model_admin.model._meta.db_table, self.column
        sql = (f"WITH RECURSIVE v(value) AS ("  # noqa: S608 (names from the model's metadata)
               f" (SELECT {column} FROM {table} ORDER BY {column} LIMIT 1) UNION ALL"
               f" SELECT (SELECT {column} FROM {table} WHERE {column} > v.value ORDER BY {column} LIMIT 1)"
               f" FROM v WHERE v.value IS NOT NULL) SELECT value FROM v WHERE value IS NOT NULL LIMIT %s")
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.limit])
            return [(value, value) for (value,) in cursor.fetchall()]

    def queryset(self, request, queryset):
        return queryset.filter(**{self.column: self.value()}) if self.value() else queryset


class RecentFilter(admin.SimpleListFilter):
    """Rows of the last day, week or month, by an indexed time column (``column``): what
    ``date_hierarchy`` offers without its scan of every row for the years and months."""

    title = _("when")
    parameter_name = "recent"
    column = "at"
    DAYS = {"1": 1, "7": 7, "30": 30}

    def lookups(self, request, model_admin):
        return [("1", _("Past 24 hours")), ("7", _("Past 7 days")), ("30", _("Past 30 days"))]

    def queryset(self, request, queryset):
        days = self.DAYS.get(self.value())
        if days is None:
            return queryset
        return queryset.filter(**{f"{self.column}__gte": timezone.now() - datetime.timedelta(days=days)})


class AuditActionFilter(DistinctValuesFilter):
    title = _("action")
    parameter_name = "action"
    column = "action"


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "content_type", "object_repr"]
    list_filter = [AuditActionFilter, RecentFilter, "content_type"]
    list_select_related = ["content_type"]
    search_fields = ["actor_label", "action", "object_repr", "object_id"]
    search_help_text = _("An email finds what that person did; other words are looked for in the actor, the action "
                         "and the object.")
    readonly_fields = [f.name for f in AuditLog._meta.fields]
    paginator = LargeTablePaginator
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        """An actor's email through its index; other words through the trigram index of the
        searchable text (``AuditLog.objects.search``)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term and " " not in term:
            return queryset.filter(actor_label=term.lower()), False
        return queryset.search(term), False


class DowntimeNoticeForm(forms.ModelForm):
    class Meta:
        model = DowntimeNotice
        fields = list(DOWNTIME_FIELDS)

    def clean(self):
        cleaned = super().clean()
        times = {name: cleaned.get(name) for name in ("notice_from", "starts_at", "ends_at")}
        if all(times.values()):
            try:
                check_downtime_times(**times)
            except DowntimeInvalid as problem:
                add_refusal(self, problem)
        return cleaned


@admin.register(DowntimeNotice)
class DowntimeNoticeAdmin(admin.ModelAdmin):
    """State staff schedule maintenance windows; saving one emails provider users through
    ``cvms.core.downtime``, which also audits each change and cancellation."""

    form = DowntimeNoticeForm
    list_display = ["starts_at", "ends_at", "notice_from", "message_en"]
    ordering = ["-starts_at"]

    def save_model(self, request, obj, form, change):
        if change:
            stored = DowntimeNotice.objects.get(pk=obj.pk)
            downtime_notice_change(notice=stored, actor=request.user,
                                   fields={name: form.cleaned_data[name] for name in form.changed_data})
        else:
            created = downtime_notice_create(actor=request.user,
                                             **{name: form.cleaned_data[name] for name in DOWNTIME_FIELDS})
            obj.pk = created.pk

    def delete_model(self, request, obj):
        downtime_notice_delete(notice=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for notice in queryset:
            downtime_notice_delete(notice=notice, actor=request.user)

"""Forms of the transfer pages: request, receive, cancel, and the state's decision and queue filter."""

from django import forms
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cvms.core.forms import UswdsFormMixin
from cvms.inventory.choices import TransferKind, TransferStatus
from cvms.inventory.models import InventoryLot
from cvms.organizations.models import Location, StorageUnit
from cvms.organizations.selectors import redistribution_partners


class LotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, lot):
        return _("%(product)s, lot %(lot)s, expires %(date)s: %(available)s doses available") % {
            "product": lot.product.display_name, "lot": lot.lot_number,
            "date": lot.expiration_date.strftime("%m/%d/%Y"), "available": lot.available}


class DestinationChoiceField(forms.ModelChoiceField):
    """Each location named with what people search it by: name, Provider PIN and county."""

    def label_from_instance(self, location):
        parts = [location.name, location.provider_pin or "", location.county and _("%(county)s County") % {
            "county": location.county}]
        return " · ".join(str(p) for p in parts if p)


class TransferRequestForm(UswdsFormMixin, forms.Form):
    lot = LotChoiceField(queryset=InventoryLot.objects.none(), label=_("Lot"),
                         help_text=_("Unexpired lots of this location with doses available."))
    to_location = DestinationChoiceField(
        queryset=Location.objects.none(), label=_("Destination location"),
        help_text=_("Type part of a location's name, its Provider PIN or its county to find it."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=TransferKind.choices,
        help_text=_("A transfer is an unplanned, unscheduled move to any enrolled location, from those who have "
                    "vaccine to those who do not. A redistribution is a planned, scheduled move between "
                    "locations of your organization covered by a signed redistribution agreement. Both need "
                    "the Immunization Branch's approval before you ship."),
    )
    doses = forms.IntegerField(label=_("Doses"), min_value=1, max_value=1_000_000)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, location: Location, **kwargs):
        super().__init__(*args, **kwargs)
        self.partners = []
        if location is None:
            return
        self.fields["lot"].queryset = location.lots.select_related("product").filter(
            expiration_date__gte=timezone.localdate(), on_hand__gt=F("reserved")).order_by("expiration_date",
                                                                                          "lot_number")
        self.fields["to_location"].queryset = Location.objects.active().exclude(pk=location.pk).order_by("name")
        self.partners = list(redistribution_partners(location))
        if not self.partners:
            self.fields["kind"].choices = [c for c in self.fields["kind"].choices
                                           if c[0] != TransferKind.REDISTRIBUTION]


class ReceiveForm(UswdsFormMixin, forms.Form):
    received_doses = forms.IntegerField(label=_("Doses that arrived"), min_value=0, max_value=1_000_000)
    discrepancy_note = forms.CharField(
        label=_("Discrepancy note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when fewer doses arrived than were shipped: say what happened to the others."),
    )
    storage_unit = forms.ModelChoiceField(queryset=StorageUnit.objects.none(), required=False,
                                          label=_("Storage unit"))

    def __init__(self, *args, location: Location, **kwargs):
        super().__init__(*args, **kwargs)
        if location is not None:
            self.fields["storage_unit"].queryset = location.storage_units.all()


class CancelForm(UswdsFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why cancel this request?"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(UswdsFormMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))],
                                 widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("Required to reject; the requester reads it."))


#: The queue's filter: blank shows the requests waiting for a decision.
QUEUE_FILTERS = [("", _("Awaiting approval")), ("decided", _("Decided")), ("all", _("All"))] + [
    (s, label) for s, label in TransferStatus.choices if s != TransferStatus.REQUESTED]


class QueueFilterForm(UswdsFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Show"), choices=QUEUE_FILTERS, required=False)


class LocationSearchForm(UswdsFormMixin, forms.Form):
    q = forms.CharField(label=_("Find a location by name, Provider PIN or county"), max_length=100,
                        required=False)

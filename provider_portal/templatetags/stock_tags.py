"""The rows of a location's lot tables, built in Python: 500 lots rendered cell by cell through the
template engine take well over the inventory page's 100 ms budget, these a few milliseconds."""

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

_ROW = ('<tr data-lot-id="{pk}"><td data-label="{l_product}">{product}</td>'
        '<td data-label="{l_lot}"><a class="usa-link" href="{url}">{lot_number}</a></td>'
        '<td data-label="{l_expires}">{expires}{tag}</td><td data-label="{l_unit}">{unit}</td>'
        '<td class="text-right" data-label="{l_on_hand}">{on_hand}</td>')
_COUNTS = ('<td class="text-right" data-label="{l_reserved}">{reserved}</td>'
           '<td class="text-right" data-label="{l_available}">{available}</td>')
_ACTIONS = ('<td data-label="{l_actions}"><a class="usa-link" href="{url}waste/">{l_waste}</a> · '
            '<a class="usa-link" href="{url}return/">{l_return}</a></td>')


@register.simple_tag
def lot_rows(lots, inventory_url: str, can_stock: bool, expired: bool = False):
    """One ``<tr>`` per lot: product, lot (linked to its history), expiry (tagged expiring soon or
    expired), storage unit, doses on hand, and unless ``expired`` reserved and available; with the
    wastage and return links for those who may record them."""
    labels = {name: escape(text) for name, text in {
              "l_product": _("Product"), "l_lot": _("Lot"), "l_expires": _("Expires"), "l_unit": _("Storage unit"),
              "l_on_hand": _("On hand"), "l_reserved": _("Reserved"), "l_available": _("Available"),
              "l_actions": _("Actions"), "l_waste": _("Record wastage"), "l_return": _("Record a return")}.items()}
    soon = format_html(' <span class="usa-tag bg-accent-warm-darker">{}</span>', _("Expiring soon"))
    gone = format_html(' <span class="usa-tag bg-secondary-dark">{}</span>', _("Expired"))
    shape = _ROW + ("" if expired else _COUNTS) + (_ACTIONS if can_stock else "") + "</tr>"
    base = escape(inventory_url)
    names: dict[int, str] = {}  # a few products and storage units, escaped once each
    rows = []
    for lot in lots:
        product = names.get(lot.product_id) or names.setdefault(lot.product_id, escape(lot.product.display_name))
        rows.append(shape.format(
            pk=int(lot.pk), url=f"{base}lots/{int(lot.pk)}/", product=product, lot_number=escape(lot.lot_number),
            expires=lot.expiration_date.strftime("%m/%d/%Y"),
            tag=gone if expired else soon if lot.expiring_soon else "",
            unit=escape(lot.storage_unit.name) if lot.storage_unit else "—", on_hand=int(lot.on_hand),
            reserved=int(lot.reserved), available=int(lot.available), **labels,
        ))
    # Every value above is escaped or an integer.
    return mark_safe("\n".join(rows))  # noqa: S308


@register.simple_tag
def lot_items(lots, inventory_url: str, doses: str = "on_hand", offer_url: str = ""):
    """One ``<li>`` per lot for the page's warnings and suggestions: product and lot (linked to its
    history), ``doses`` (on hand or available) and expiry. A suggestion's item carries the lot's id
    (``suggest-lot-<id>``, ``data-lot-id``) and, given ``offer_url`` (the Vaccine Marketplace's
    posting page, for those who may post), a link offering the lot there."""
    if doses == "available":
        text = _("%(product)s, lot %(lot)s: %(doses)s doses available, expires %(date)s")
        shape = '<li id="suggest-lot-{pk}" data-lot-id="{pk}" data-testid="suggestion">{text}</li>'
    else:
        text = _("%(product)s, lot %(lot)s: %(doses)s doses, expires %(date)s")
        shape = '<li data-lot-id="{pk}">{text}</li>'
    base = escape(inventory_url)
    items = []
    for lot in lots:
        link = f'<a class="usa-link" href="{base}lots/{int(lot.pk)}/">{escape(lot.lot_number)}</a>'
        line = escape(text) % {"product": escape(lot.product.display_name), "lot": link,
                               "doses": int(getattr(lot, doses)), "date": lot.expiration_date.strftime("%m/%d/%Y")}
        if offer_url:
            label = escape(_("Offer on the marketplace"))
            line += (f' <a class="usa-link margin-left-1" href="{escape(offer_url)}?lot={int(lot.pk)}" '
                     f'data-testid="offer-lot-{int(lot.pk)}">{label}</a>')
        items.append(shape.format(pk=int(lot.pk), text=line))
    # Every value above is escaped or an integer.
    return mark_safe("\n".join(items))  # noqa: S308

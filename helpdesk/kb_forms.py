from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from cvms.core.forms import UswdsFormMixin
from helpdesk.kb_models import Audience
from helpdesk.kb_selectors import QUERY_MAX, kb_query_clean


class KbSearchForm(UswdsFormMixin, forms.Form):
    """A search never fails: a query too long is cut, an unknown audience means every article."""

    q = forms.CharField(label=_("Search the knowledge base"), max_length=QUERY_MAX * 4, required=False)
    audience = forms.ChoiceField(label=_("Articles for"), required=False,
                                 choices=[("", _("Everyone"))] + [c for c in Audience.choices if c[0] != "everyone"])

    def search(self) -> tuple[str, str | None]:
        data = self.data if self.is_bound else {}
        audience = data.get("audience")
        return kb_query_clean(data.get("q")), audience if audience in Audience.values else None


def kb_suggest_attrs(audience: str = "") -> dict:
    """The attributes a description textarea opts into suggestions with (the script is
    ``js/kb-suggest.js``, included by the page): ``forms.Textarea(attrs=kb_suggest_attrs())``."""
    attrs = {"data-kb-suggest": reverse_lazy("helpdesk:kb_suggest"),
             "data-kb-heading": _("Articles that may answer your question"),
             "data-kb-new-tab": _("opens in a new tab")}
    return {**attrs, "data-kb-audience": audience} if audience else attrs

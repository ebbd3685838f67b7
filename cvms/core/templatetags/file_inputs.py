"""The words of the USWDS file input, which its script writes in English, in the page's language:
``static/js/file-input-words.js`` puts them in place of the English ones."""

from django import template
from django.utils.html import json_script
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def file_input_words():
    """The file input's English words (as USWDS writes them) and the page's words for each."""
    return json_script({
        "Drag file here or": _("Drag file here or"),
        "choose from folder": _("choose from folder"),
        "Choose from folder": _("Choose from folder"),
        "No file selected.": _("No file selected."),
        "Selected file": _("Selected file"),
        "Change file": _("Change file"),
        "This is not a valid file type.": _("This is not a valid file type."),
        "selected": _("You have selected the file: %(name)s"),
    }, "file-input-words")
